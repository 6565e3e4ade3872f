// The typed rdv api client, browser-safe: calls typed by the api's OpenAPI document
// (openapi-fetch over a Transport), one error mapping to AppError, the event stream, and
// the look-ups every caller shares. The unix-socket transport is in `@rdv/client/node`.
export { createRdvClient, browserTransport, type Call, type Headers, type RdvClient, type RdvClientOptions, type Transport } from './client.js';
export { errorFromResponse, parseErrorBody } from './errors.js';
export { followEvents, type EventStream, type FollowEventsOptions } from './events.js';
export { createSseParser, type SseMessage, type SseParser } from './sse.js';
export { readOutputBytes, readOutputText, type OutputTextQuery } from './output.js';
export {
  findFolder,
  findSession,
  isMasterOrchestrator,
  masterOrchestrator,
  resolveFolder,
  resolveSession,
  worktreeStatus,
} from './resolve.js';
export type { components, paths } from './generated/api.js';
