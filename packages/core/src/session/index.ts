// Sessions: each a tmux session rdv started (a shell, or an agent typed into one), its
// row, and how its shell's exit status is kept for whoever sees it end.
export {
  createSessionService,
  type ListStatus,
  type ReconcileResult,
  type SessionService,
  type SessionServiceDeps,
} from './service.js';
export { getSession, tmuxNameFor, toSession } from './rows.js';
export { AGENT_COMMANDS } from './agents.js';
export { EXIT_WRAPPER_NAME, exitStatusFile, readExitStatus } from './exit-status.js';
export {
  claudeSettings,
  geminiSettings,
  hookCommand,
  openCodePlugin,
  prepareAgentLaunch,
  removeAgentHooks,
  shellWord,
  type AgentHookConfig,
  type AgentLaunch,
} from './agent-hooks.js';
export { KNOWLEDGE_FILE, type StartupKnowledge } from './startup-knowledge.js';
export { AGENT_SESSION_ID_PATTERN, agentIdFromText, resumeLine } from './resume.js';
export type { SessionOutputConfig } from './output.js';
