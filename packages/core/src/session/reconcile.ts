import { eq, inArray } from 'drizzle-orm';
import type { Logger } from 'pino';
import { schema, type Db } from '../db/index.js';
import type { Tmux } from '../tmux/index.js';
import { pruneExitStatuses, readExitStatus } from './exit-status.js';
import { OPEN_STATUSES, type SessionRow } from './rows.js';

/** How long an ended session's exit status file is kept for its readers. */
const EXIT_STATUS_KEEP_MS = 60_000;

export interface ReconcileResult {
  /** Sessions marked closed because their tmux session ended (their shell exited), or was lost and not restored. */
  closed: string[];
  /** Sessions whose tmux session vanished without their shell exiting. */
  lost: string[];
  /** Lost sessions brought back. */
  restored: string[];
  /** `rdv-*` tmux sessions with no open session row. */
  orphans: string[];
  /** Open sessions whose tmux session runs. */
  live: SessionRow[];
}

export interface ReconcileContext {
  db: Db;
  tmux: Tmux;
  log: Logger;
  exitStatusDir?: string;
  /** Sessions being started or closed right now: their tmux session may be missing for a moment. */
  busy: ReadonlySet<string>;
  /** Marks a session closed (and announces it), with the status its shell left. */
  markClosed(id: string, exitCode: number | null): void;
  /**
   * Sessions lost (tmux session gone, no exit status); `serverGone` when tmux's whole server
   * is. Returns the ids it brought back; the others it marked closed.
   */
  handleLost(rows: SessionRow[], serverGone: boolean): Promise<string[]>;
}

/**
 * Brings the open session rows in line with the tmux server: a row whose tmux session
 * ended with an exit status is closed; one that vanished without (only knowable when
 * statuses are kept) is lost and handed to `handleLost`; a live one gets tmux's last
 * activity; old exit status files are pruned.
 */
export async function reconcileWithTmux(ctx: ReconcileContext): Promise<ReconcileResult> {
  const { db, log, exitStatusDir } = ctx;
  // Rows first, then the busy ones, then tmux: a row read here that was not busy by then had
  // its tmux session before the listing began (one that finished starting in between would
  // otherwise look gone).
  const open = db.select().from(schema.sessions).where(inArray(schema.sessions.status, OPEN_STATUSES)).all();
  const busyBefore = new Set(ctx.busy);
  const live = await ctx.tmux.listSessions();
  const liveByName = new Map(live.map((s) => [s.name, s]));
  const closed: string[] = [];
  const lost: SessionRow[] = [];
  const liveRows: SessionRow[] = [];
  const openNames = new Set<string>();
  for (const r of open) {
    const t = liveByName.get(r.tmuxName);
    if (busyBefore.has(r.id) || ctx.busy.has(r.id)) {
      openNames.add(r.tmuxName);
      continue;
    }
    if (!t) {
      const status = exitStatusDir ? readExitStatus(exitStatusDir, r.tmuxName) : null;
      if (status === null && exitStatusDir) {
        lost.push(r);
        continue;
      }
      ctx.markClosed(r.id, status);
      closed.push(r.id);
      continue;
    }
    openNames.add(r.tmuxName);
    liveRows.push(r);
    if (!r.lastActivityAt || t.lastActivityAt.getTime() - r.lastActivityAt.getTime() >= 1000) {
      db.update(schema.sessions).set({ lastActivityAt: t.lastActivityAt }).where(eq(schema.sessions.id, r.id)).run();
    }
  }
  let restored: string[] = [];
  if (lost.length) {
    // No session listed may still mean a server that runs (every session ended): ask it.
    const serverGone = live.length === 0 && !(await ctx.tmux.serverRunning());
    log.warn({ lost: lost.map((r) => r.id), serverGone }, 'sessions lost: their tmux session vanished without their shell exiting');
    restored = await ctx.handleLost(lost, serverGone);
    closed.push(...lost.map((r) => r.id).filter((id) => !restored.includes(id)));
  }
  const orphans = live.filter((s) => s.name.startsWith('rdv-') && !openNames.has(s.name)).map((s) => s.name);
  if (exitStatusDir) pruneExitStatuses(exitStatusDir, new Set(live.map((s) => s.name)), EXIT_STATUS_KEEP_MS);
  if (closed.length) log.info({ closed }, 'sessions whose tmux session ended were marked closed');
  return { closed, lost: lost.map((r) => r.id), restored, orphans, live: liveRows };
}
