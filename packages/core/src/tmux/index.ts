// tmux: rdv's typed wrapper over `tmux -L <socket>` (argv arrays, parsed output), the
// environment it runs with, and the cheap readers the orchestrator watches panes through.
export {
  createTmux,
  escapeTrailingSemicolon,
  openConfiguredTmux,
  parseSessionList,
  TMUX_KEY_PATTERN,
  TMUX_NAME_PATTERN,
  type CreateTmuxOptions,
  type NewSessionOptions,
  type Tmux,
  type TmuxSessionInfo,
} from './tmux.js';
export { sanitizedEnv } from './env.js';
export { openControlClient, type ControlClient, type OpenControlClientOptions } from './control-client.js';
export {
  createTmuxReader,
  paneFormat,
  parsePanes,
  type MonitorMethod,
  type PaneInfo,
  type TmuxReader,
  type TmuxReaderOptions,
} from './tmux-reader.js';
