import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Logger } from 'pino';
import { schema, type Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import type { RestorePlanItem, RestorePolicy, RestoreRequest, RestoreResult, Session, TrashEntry } from '../schemas/index.js';
import { stopTmuxSession, type Tmux } from '../tmux/index.js';
import type { WorktreeService } from '../worktree/index.js';
import { readExitStatus } from './exit-status.js';
import type { LaunchDeps } from './launch.js';
import type { SessionOutput } from './output.js';
import { reconcileWithTmux, type ReconcileResult } from './reconcile.js';
import { createRestorer } from './restore.js';
import { OPEN_STATUSES, toSession, type SessionRow } from './rows.js';

export type SessionEvent = 'session.updated' | 'session.closed' | 'session.restored';

export interface ContinuityDeps {
  db: Db;
  tmux: Tmux;
  log: Logger;
  apiSocket: string;
  exitStatusDir?: string;
  worktrees?: WorktreeService;
  output: SessionOutput | null;
  launchDeps: LaunchDeps;
  stopTimeoutMs?: number;
  restore?: RestorePolicy;
  busy: Set<string>;
  row(userId: string, id: string): SessionRow;
  update(id: string, set: Partial<SessionRow>, event?: SessionEvent): Session;
  nameTaken(userId: string, name: string, exceptId?: string): boolean;
  /** Starts a row's tmux session (marked busy meanwhile). */
  startTmux(r: SessionRow): Promise<void>;
}

/**
 * The parts of the session service that outlive a tmux session: closing (a graceful stop
 * that leaves nothing running), the trash (the log travels with the worktree), and lost
 * sessions (found by reconcile, restored at start or when tmux's server is gone, or by hand).
 * Reconciles and restores run one at a time, so a session is never brought back twice.
 */
export function createSessionContinuity(deps: ContinuityDeps) {
  const { db, tmux, log, busy, update } = deps;
  const stopTimeoutMs = deps.stopTimeoutMs ?? 5000;
  const restorer = createRestorer({
    db,
    tmux,
    log,
    launch: deps.launchDeps,
    policy: deps.restore ?? 'all',
    stopTimeoutMs,
    locate: (id) => deps.output?.locate(id) ?? null,
    busy,
    update: (id, set, event) => update(id, set, event),
  });

  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const reconcileNow = async (atStart: boolean): Promise<ReconcileResult> => {
    const result = await reconcileWithTmux({
      db,
      tmux,
      log,
      exitStatusDir: deps.exitStatusDir,
      busy,
      markClosed: (id, exitCode) => update(id, { status: 'closed', closedAt: new Date(), exitCode }, 'session.closed'),
      handleLost: (rows, serverGone) => restorer.handleLost(rows, atStart || serverGone),
    });
    if (atStart && deps.output) await deps.output.ensureLogging(result.live);
    return result;
  };

  /** The user's lost sessions: marked lost, or (not yet reconciled) open with their tmux session gone and no exit status. */
  const lostRows = async (userId: string): Promise<SessionRow[]> => {
    const marked = db
      .select()
      .from(schema.sessions)
      .where(and(eq(schema.sessions.userId, userId), eq(schema.sessions.status, 'closed'), isNotNull(schema.sessions.lostAt)))
      .all();
    if (!deps.exitStatusDir) return marked;
    const live = new Set((await tmux.listSessions()).map((s) => s.name));
    const open = db
      .select()
      .from(schema.sessions)
      .where(and(eq(schema.sessions.userId, userId), inArray(schema.sessions.status, OPEN_STATUSES)))
      .all()
      .filter((r) => !busy.has(r.id) && !live.has(r.tmuxName) && readExitStatus(deps.exitStatusDir!, r.tmuxName) === null);
    return [...open, ...marked];
  };

  /** The worktree back from the trash, and the session's log with it. */
  const worktreeFromTrash = async (userId: string, trashId: string): Promise<TrashEntry> => {
    if (!deps.worktrees) throw new AppError('unavailable', 'worktrees are not enabled on this server');
    const t = db
      .select({ sessionId: schema.trash.sessionId })
      .from(schema.trash)
      .where(and(eq(schema.trash.id, trashId), eq(schema.trash.userId, userId)))
      .get();
    // The worktree's restore removes the trash entry's folder: the log leaves it first.
    const moved = t?.sessionId && deps.output ? deps.output.fromTrash(t.sessionId, trashId) : false;
    try {
      return await deps.worktrees.restore(userId, trashId);
    } catch (err) {
      if (moved) deps.output!.toTrash(t!.sessionId!, trashId);
      throw err;
    }
  };

  const notLost = (r: SessionRow): RestorePlanItem => ({
    ...restorer.plan(r, true),
    restored: false,
    reason: r.status === 'closed' || r.status === 'trashed' ? `it is ${r.status} and was not lost` : 'it is running',
  });

  return {
    async close(userId: string, id: string): Promise<Session> {
      const r = deps.row(userId, id);
      if (r.status === 'closed' || r.status === 'trashed') {
        // Closed by its user now: a lost session no longer waits to come back.
        return r.lostAt ? update(id, { lostAt: null }) : toSession(r);
      }
      busy.add(id);
      try {
        await stopTmuxSession({
          tmux,
          name: r.tmuxName,
          markers: { RDV_SESSION_ID: id, RDV_API_SOCKET: deps.apiSocket },
          timeoutMs: stopTimeoutMs,
          log,
        });
        if (r.worktreeId && deps.worktrees) {
          const wt = deps.worktrees.get(userId, r.worktreeId);
          if (wt.status === 'active') {
            const entry = await deps.worktrees.trash(userId, wt.id, id);
            deps.output?.toTrash(id, entry.id);
            log.info({ sessionId: id, worktreeId: wt.id }, 'session closed; its worktree and output are in the trash');
            return update(id, { status: 'trashed', closedAt: new Date(), lostAt: null }, 'session.closed');
          }
        }
        log.info({ sessionId: id }, 'session closed');
        return update(id, { status: 'closed', closedAt: new Date(), lostAt: null }, 'session.closed');
      } finally {
        busy.delete(id);
      }
    },

    /** A trashed worktree session back: its worktree and log return, and a new tmux session starts in it. */
    async fromTrash(userId: string, trashId: string): Promise<Session | null> {
      const entry = await worktreeFromTrash(userId, trashId);
      if (!entry.sessionId) return null;
      const r = deps.row(userId, entry.sessionId);
      if (r.status !== 'trashed') return toSession(r);
      if (deps.nameTaken(userId, r.name, r.id)) {
        throw new AppError('conflict', `the worktree is back, but a session named "${r.name}" is open; rename that one to restore this session`);
      }
      await deps.startTmux(r);
      return update(r.id, { status: 'active', closedAt: null, lastActivityAt: new Date() });
    },

    reconcile: (options: { atStart?: boolean } = {}) => serial(() => reconcileNow(options.atStart ?? false)),

    restoreLost(userId: string, request: RestoreRequest): Promise<RestoreResult> {
      return serial(async () => {
        // Lost sessions not yet seen as such are handled first (their leftovers ended), never restored twice.
        if (!request.dryRun) await reconcileNow(false);
        const lost = await lostRows(userId);
        const wanted = request.ids ? request.ids.map((id) => lost.find((r) => r.id === id) ?? deps.row(userId, id)) : lost;
        const items: RestorePlanItem[] = [];
        for (const r of wanted) {
          const isLost = lost.includes(r);
          const item = isLost ? restorer.plan(r, true) : notLost(r);
          items.push(request.dryRun || !isLost ? item : await restorer.bringBack(r, item));
        }
        return { dryRun: request.dryRun, items };
      });
    },
  };
}
