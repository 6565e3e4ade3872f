// The MCP server over the rdv api: tools for sessions, folders, worktrees and the
// orchestrator, resources for the session list and each session's output.
export { createMcpServer, type McpServerDeps } from './server.js';
export type { Loose, RdvApi } from './api.js';
export { describeFailure, type ToolArea } from './failure.js';
export { SESSIONS_URI, SESSION_OUTPUT_TEMPLATE } from './resources.js';
