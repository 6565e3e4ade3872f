// Preloaded (node --import) into the MCP Inspector CLI 0.15, which has no option for
// request headers (--header came with 0.16, which needs Node 22): every fetch it makes
// carries RDV_TEST_BEARER as its Authorization, as a configured MCP client would.
const original = globalThis.fetch;
globalThis.fetch = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${process.env.RDV_TEST_BEARER}`);
  return original(input, { ...init, headers });
};
