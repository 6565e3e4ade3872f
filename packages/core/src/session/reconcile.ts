import { eq, inArray } from 'drizzle-orm';
import type { Logger } from 'pino';
import { schema, type Db } from '../db/index.js';
import type { Tmux } from '../tmux/index.js';
import { pruneExitStatuses, readExitStatus } from './exit-status.js';
import { OPEN_STATUSES } from './rows.js';

/** How long an ended session's exit status file is kept for its readers. */
const EXIT_STATUS_KEEP_MS = 60_000;

export interface ReconcileResult {
  /** Sessions marked closed because their tmux session is gone. */
  closed: string[];
  /** `rdv-*` tmux sessions with no open session row. */
  orphans: string[];
}

export interface ReconcileContext {
  db: Db;
  tmux: Tmux;
  log: Logger;
  exitStatusDir?: string;
  /** Marks a session closed (and announces it), with the status its shell left, if any. */
  markClosed(id: string, exitCode: number | null): void;
}

/**
 * Brings the open session rows in line with the tmux server: a row whose tmux session is
 * gone is closed, a live one gets tmux's last activity; old exit status files are pruned.
 */
export async function reconcileWithTmux(ctx: ReconcileContext): Promise<ReconcileResult> {
  const { db, log, exitStatusDir } = ctx;
  const live = await ctx.tmux.listSessions();
  const liveByName = new Map(live.map((s) => [s.name, s]));
  const open = db.select().from(schema.sessions).where(inArray(schema.sessions.status, OPEN_STATUSES)).all();
  const closed: string[] = [];
  const openNames = new Set<string>();
  for (const r of open) {
    const t = liveByName.get(r.tmuxName);
    if (!t) {
      ctx.markClosed(r.id, exitStatusDir ? readExitStatus(exitStatusDir, r.tmuxName) : null);
      closed.push(r.id);
      continue;
    }
    openNames.add(r.tmuxName);
    if (!r.lastActivityAt || t.lastActivityAt.getTime() - r.lastActivityAt.getTime() >= 1000) {
      db.update(schema.sessions).set({ lastActivityAt: t.lastActivityAt }).where(eq(schema.sessions.id, r.id)).run();
    }
  }
  const orphans = live.filter((s) => s.name.startsWith('rdv-') && !openNames.has(s.name)).map((s) => s.name);
  if (exitStatusDir) pruneExitStatuses(exitStatusDir, new Set(live.map((s) => s.name)), EXIT_STATUS_KEEP_MS);
  if (closed.length) log.info({ closed }, 'sessions whose tmux session ended were marked closed');
  return { closed, orphans };
}
