// MCP through the edge: the real api on its socket, the edge's request handler on TCP
// (local mode, a real cookie signer and failure limiter), an MCP client and the MCP
// Inspector CLI on http://127.0.0.1:<port>/mcp.
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createSocketClient } from '@rdv/client/node';
import { createRateLimiter, openServiceTokenStore } from '@rdv/core/auth';
import { createSilentLogger } from '@rdv/core/log';
import { afterAll, describe, expect, it } from 'vitest';
import { useApi } from '../../../services/api/test/helpers.js';
import { createLocalAuthenticator } from '../src/server/authenticator.js';
import { createRequestHandler } from '../src/server/handler.js';
import { createCookieSigner, SESSION_COOKIE } from '../src/server/session-cookie.js';
import { createTerminalBridge } from '../src/server/terminal-proxy.js';
import { REPO } from './helpers/stack.js';

const run = promisify(execFile);
const log = createSilentLogger();
const api = await useApi();
const signer = createCookieSigner(Buffer.alloc(32, 7));
const bridge = createTerminalBridge({ socketPath: join(api.home, 'run', 'terminal.sock'), log });
const handle = createRequestHandler({
  authenticator: createLocalAuthenticator(signer),
  serviceToken: openServiceTokenStore(api.config.paths.serviceToken, { create: false, graceMs: 0 }),
  bridge,
  apiSocket: api.socket,
  login: { api: createSocketClient({ socketPath: api.socket }), signer, secureCookie: false, log },
  next: async (_req, res) => void res.end('page'),
  failures: createRateLimiter({ perMinute: 4 }),
  log,
});
const edge = createServer((req, res) => void handle(req, res));
await new Promise<void>((r) => edge.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(edge.address() as AddressInfo).port}/mcp`;
afterAll(() => {
  bridge.dispose();
  edge.close();
});

const key = (await api.call<{ token: string }>('POST', '/api/tokens', { name: 'remote agent', kind: 'api_key' })).body.token;
const rpc = (headers: Record<string, string>) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  });

describe('MCP through the edge', () => {
  it('serves the tools to an MCP client with an API key as Bearer', async () => {
    const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${key}` } } });
    const client = new Client({ name: 'remote', version: '1.0.0' });
    await client.connect(transport);
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(expect.arrayContaining(['session_list', 'worktree_list', 'session_inject']));
      await client.callTool({ name: 'session_create', arguments: { name: 'via-edge', kind: 'shell' } });
      const sessions = await client.readResource({ uri: 'rdv://sessions' });
      expect(JSON.stringify(sessions.contents)).toContain('via-edge');
    } finally {
      await client.close();
    }
  });

  it('answers the MCP Inspector CLI', async () => {
    const inspector = join(REPO, 'node_modules/@modelcontextprotocol/inspector/cli/build/cli.js');
    const env = { ...process.env, RDV_TEST_BEARER: key, NODE_OPTIONS: `--import=${join(REPO, 'apps/web/test/helpers/bearer-fetch.mjs')}` };
    const { stdout } = await run(process.execPath, [inspector, '--cli', url, '--transport', 'http', '--method', 'tools/list'], { env, timeout: 60_000 });
    const names = (JSON.parse(stdout) as { tools: Array<{ name: string }> }).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['session_list', 'folder_list']));
  }, 90_000);

  it('takes no cookie, no CLI token and no cross-site page; refused keys back off to 429', async () => {
    // A valid browser session of the owner: good for /api, not for /mcp.
    const cookie = `${SESSION_COOKIE}=${signer.sign(api.ownerId)}`;
    expect((await fetch(url.replace('/mcp', '/api/auth/me'), { headers: { cookie } })).status).toBe(200);
    expect((await rpc({ cookie })).status).toBe(401);
    expect((await rpc({ authorization: `Bearer ${api.ownerToken}` })).status).toBe(401);
    expect((await rpc({ authorization: `Bearer ${key}`, origin: 'https://evil.example' })).status).toBe(403);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await rpc({ authorization: 'Bearer rdv_key_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).status);
    expect(statuses).toContain(401);
    expect((await rpc({ authorization: 'Bearer nonsense' })).status).toBe(429);
  });
});
