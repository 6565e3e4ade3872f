import type { Logger } from '@rdv/core/log';
import type { FlowGate, PtyProcess, Watermarks } from '@rdv/core/pty';
import type { TerminalClient } from './client.js';

/** How a client gets its output: from the shared tmux client, waiting to catch up, or from its own. */
export type MemberMode = 'shared' | 'stalled' | 'own';

/** One client of a hub, as the hub holds it. */
export interface Member {
  client: TerminalClient;
  mode: MemberMode;
  pty: PtyProcess | null;
  gate: FlowGate | null;
}

export interface HubLimits {
  /** A client on the shared stream whose backlog passes this many bytes leaves it. */
  stallBytes: number;
  /** Pause/resume marks for a client on its own tmux client. */
  watermarks: Watermarks;
  /** Input held while no tmux client is attached yet, or queued for a program that is not reading it, at most. */
  pendingInputBytes: number;
}

export interface HubStats {
  sessionId: string;
  clients: number;
  shared: number;
  stalled: number;
  own: number;
  pausedPtys: number;
  backlogBytes: number;
  maxBacklogBytes: number;
}

export interface SessionHub {
  readonly sessionId: string;
  readonly ended: boolean;
  /** Adds a client; it sees the current screen (tmux redraws it) and everything after. */
  join(client: TerminalClient): void;
  stats(): HubStats;
  /** Detaches this hub's tmux clients (the session keeps running) and closes every websocket with `code`. Idempotent. */
  dispose(code: number, reason: string): void;
}

export interface SessionHubDeps {
  sessionId: string;
  log: Logger;
  limits: HubLimits;
  /** Attaches a new tmux client to the session on a pty of this size. */
  attach(cols: number, rows: number): PtyProcess;
  /** Whether the tmux session still exists (asked when a tmux client exits). */
  sessionAlive(): Promise<boolean>;
  /** How the session's program exited (status, or 128 + signal); null when unknown. Asked once it has ended. */
  exitStatus(): number | null;
  /** Called once when the last client has left or the session has ended. */
  onEmpty(hub: SessionHub): void;
  /** Called once when the tmux session itself has ended (its program exited, or it was killed). */
  onEnded?(code: number): void;
}
