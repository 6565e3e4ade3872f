// tmux: rdv's typed wrapper over `tmux -L <socket>` (argv arrays, parsed output), the
// environment it runs with, the cheap readers the orchestrator watches panes through, and
// ending a session's processes (graceful stop, sweep after a lost server).
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
  type TmuxPaneInfo,
  type TmuxSessionInfo,
} from './tmux.js';
export { sanitizedEnv } from '../config/index.js';
export {
  stopTmuxSession,
  sweepLostSessionProcesses,
  terminateProcesses,
  type EnvMarkers,
  type StopTmuxSessionOptions,
  type SweepOptions,
  type TerminateOptions,
  type TerminateResult,
} from './stop.js';
export { listOwnProcs, parseProcStat, readEnviron, type ProcInfo } from './procs.js';
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
export { createKeyTyper, type KeyTyper } from './typer.js';
