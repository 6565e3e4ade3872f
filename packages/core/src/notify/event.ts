import type { AttentionType, InsightSeverity } from '../schemas/index.js';

/** Something an agent session needs a person for, as the notifier receives it. */
export interface AttentionEvent {
  userId: string;
  type: AttentionType;
  /** Default: by type (permission, question, stalled: warning; errored: error; else info). */
  severity?: InsightSeverity;
  sessionId: string;
  sessionName: string;
  /** The session's folders, root first; empty outside folders. */
  folders: ReadonlyArray<{ id: string; name: string }>;
  /** The open insight this is about; actions (Allow, Deny, Reply) need one. */
  insightId?: string | null;
  /** What the agent said: the permission it asks for, its question, the error. */
  message?: string;
  /** A question's options, answerable from the notification as reply:<option>. */
  options?: readonly string[];
  /** Instead of the title made from the type and session (a test notification has its own). */
  title?: string;
}

export const DEFAULT_SEVERITY: Readonly<Record<AttentionType, InsightSeverity>> = {
  permission: 'warning',
  question: 'warning',
  turn_finished: 'info',
  stalled: 'warning',
  errored: 'error',
  exited: 'info',
};

export const severityOf = (event: AttentionEvent): InsightSeverity => event.severity ?? DEFAULT_SEVERITY[event.type];
