import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createSilentLogger, type Logger } from '../log/index.js';
import { registerFolderTools, registerWorktreeTools } from './folder-tools.js';
import { registerKnowledgeTools } from './knowledge-tools.js';
import { registerLearningTools } from './learning-tools.js';
import { registerOrchestratorTools } from './orchestrator-tools.js';
import { registerRepositoryTools } from './repository-tools.js';
import type { RdvApi } from './api.js';
import { registerResources } from './resources.js';
import { registerReviewTools } from './review-tools.js';
import { registerSessionTools } from './session-tools.js';

export interface McpServerDeps {
  /** The rdv api as the tools need it, authenticated with the API key (or CLI token). */
  api: RdvApi;
  /** Reported to clients as the server version. */
  version?: string;
  /** Diagnostics; must not write to stdout when serving over stdio. */
  log?: Logger;
  /** The rdv session the MCP server runs in (an agent's own): the default of request_attention, and of the knowledge tools' folder and author. */
  currentSessionId?: string;
}

const INSTRUCTIONS = [
  'rdv runs terminal sessions (shells and coding agents, each in tmux) on a dev box.',
  'Use session_list to find sessions, session_read_output to see what one shows, session_send_input to type a line.',
  'Sessions can be given by id or by name. Orchestrators report stalled or waiting agents as insights (insight_list).',
  "Folders keep knowledge: read it with knowledge_get before you start, search it with knowledge_search, keep what you learn with knowledge_add, or propose it for a person to accept with knowledge_propose (insight_extract proposes from your session's log).",
].join(' ');

/**
 * An MCP server whose tools and resources call the rdv api through `api`. Nothing is
 * connected yet: the caller connects a transport (stdio for `rdv mcp`) and owns closing it.
 */
export function createMcpServer(deps: McpServerDeps): McpServer {
  const log = deps.log ?? createSilentLogger();
  const server = new McpServer(
    { name: 'rdv', title: 'rdv — remote dev sessions', version: deps.version ?? '0.0.0' },
    { instructions: INSTRUCTIONS, capabilities: { logging: {} } },
  );
  const { api } = deps;
  registerSessionTools(server, api, log);
  registerFolderTools(server, api, log);
  registerWorktreeTools(server, api, log);
  registerRepositoryTools(server, api, log);
  registerReviewTools(server, api, log);
  registerKnowledgeTools(server, api, log, deps.currentSessionId);
  registerLearningTools(server, api, log, deps.currentSessionId);
  registerOrchestratorTools(server, api, log, deps.currentSessionId);
  registerResources(server, api);
  return server;
}
