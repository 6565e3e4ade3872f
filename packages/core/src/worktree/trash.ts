import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { and, eq, isNull, lt } from 'drizzle-orm';
import type { Logger } from 'pino';
import { AppError } from '../errors/index.js';
import { schema, type Db } from '../db/index.js';
import type { TrashEntry } from '../schemas/index.js';
import { git } from './git.js';
import { removeGitWorktree } from './status.js';

const DAY_MS = 86_400_000;
type WorktreeRow = typeof schema.worktrees.$inferSelect;
type TrashRow = typeof schema.trash.$inferSelect;

/** The trash of closed worktree sessions: worktrees moved under RDV_HOME/trash, kept for the retention period. */
export interface WorktreeTrash {
  /** Moves the worktree into RDV_HOME/trash; nothing is deleted. */
  trash(userId: string, id: string, sessionId: string | null): Promise<TrashEntry>;
  listTrash(userId: string): TrashEntry[];
  /** Moves a trashed worktree back; returns the entry (with sessionId for the caller to revive). */
  restore(userId: string, trashId: string): Promise<TrashEntry>;
  /** Deletes trashed worktrees for good (their branches stay in the repository). */
  emptyTrash(userId: string, trashId?: string): Promise<number>;
  /** Empties trash older than the retention period, for every user. */
  expireTrash(at?: Date): Promise<number>;
}

export interface WorktreeTrashDeps {
  db: Db;
  log: Logger;
  /** RDV_HOME: the trash lives in its `trash/`. */
  home: string;
  retentionDays: number;
  /** A user's worktree row; not_found otherwise. */
  row(userId: string, id: string): WorktreeRow;
  setStatus(id: string, status: string, path?: string): void;
  /** Runs `fn` alone among the git operations on one repository. */
  withLock<T>(repo: string, fn: () => Promise<T>): Promise<T>;
}

/** The trash half of the worktree service; it holds nothing to dispose. */
export function createWorktreeTrash(deps: WorktreeTrashDeps): WorktreeTrash {
  const { db, log, row, setStatus, withLock } = deps;
  const trashDir = (trashId: string) => join(deps.home, 'trash', trashId);

  const toEntry = (t: TrashRow): TrashEntry => {
    const s = t.sessionId ? db.select({ name: schema.sessions.name }).from(schema.sessions).where(eq(schema.sessions.id, t.sessionId)).get() : undefined;
    const w = t.worktreeId ? db.select().from(schema.worktrees).where(eq(schema.worktrees.id, t.worktreeId)).get() : undefined;
    return {
      id: t.id,
      sessionId: t.sessionId,
      worktreeId: t.worktreeId,
      sessionName: s?.name ?? null,
      originalPath: t.path,
      trashPath: w?.status === 'trashed' ? w.path : null,
      trashedAt: t.trashedAt.toISOString(),
      expiresAt: t.expiresAt.toISOString(),
    };
  };

  const purge = async (t: TrashRow): Promise<void> => {
    if (t.worktreeId) {
      const w = db.select().from(schema.worktrees).where(eq(schema.worktrees.id, t.worktreeId)).get();
      if (w && w.status === 'trashed') {
        await withLock(w.repoPath, () => removeGitWorktree(w.repoPath, w.path, w.base, true)).catch((err: unknown) =>
          log.warn({ err, worktreeId: w.id }, 'could not remove a trashed worktree'),
        );
        setStatus(w.id, 'removed');
      }
    }
    rmSync(trashDir(t.id), { recursive: true, force: true });
    db.delete(schema.trash).where(eq(schema.trash.id, t.id)).run();
  };

  return {
    async trash(userId, id, sessionId) {
      const r = row(userId, id);
      if (r.status !== 'active') throw new AppError('conflict', `worktree ${r.path} is ${r.status}`);
      const trashId = randomUUID();
      const dest = join(trashDir(trashId), basename(r.path));
      mkdirSync(dirname(dest), { recursive: true, mode: 0o700 });
      if (existsSync(r.path)) await withLock(r.repoPath, () => git(r.repoPath, ['worktree', 'move', '--', r.path, dest], 'conflict'));
      const at = new Date();
      const t = db
        .insert(schema.trash)
        .values({ id: trashId, userId, sessionId, worktreeId: id, path: r.path, trashedAt: at, expiresAt: new Date(at.getTime() + deps.retentionDays * DAY_MS) })
        .returning()
        .get();
      setStatus(id, 'trashed', dest);
      log.info({ worktreeId: id, trashId }, 'worktree moved to trash');
      return toEntry(t);
    },
    listTrash(userId) {
      return db
        .select()
        .from(schema.trash)
        .where(and(eq(schema.trash.userId, userId), isNull(schema.trash.restoredAt)))
        .all()
        .map(toEntry);
    },
    async restore(userId, trashId) {
      const t = db.select().from(schema.trash).where(and(eq(schema.trash.id, trashId), eq(schema.trash.userId, userId), isNull(schema.trash.restoredAt))).get();
      if (!t) throw new AppError('not_found', `trash entry ${trashId} not found`);
      if (t.worktreeId && t.path) {
        const w = row(userId, t.worktreeId);
        if (existsSync(t.path)) throw new AppError('conflict', `${t.path} is in use again; move it away to restore`);
        mkdirSync(dirname(t.path), { recursive: true });
        await withLock(w.repoPath, () => git(w.repoPath, ['worktree', 'move', '--', w.path, t.path!], 'conflict'));
        setStatus(w.id, 'active', t.path);
        rmSync(trashDir(trashId), { recursive: true, force: true });
      }
      db.update(schema.trash).set({ restoredAt: new Date() }).where(eq(schema.trash.id, trashId)).run();
      log.info({ trashId }, 'restored from trash');
      return toEntry({ ...t, restoredAt: new Date() });
    },
    async emptyTrash(userId, trashId) {
      const entries = db
        .select()
        .from(schema.trash)
        .where(and(eq(schema.trash.userId, userId), isNull(schema.trash.restoredAt), trashId ? eq(schema.trash.id, trashId) : undefined))
        .all();
      if (trashId && !entries.length) throw new AppError('not_found', `trash entry ${trashId} not found`);
      for (const t of entries) await purge(t);
      return entries.length;
    },
    async expireTrash(at = new Date()) {
      const due = db.select().from(schema.trash).where(and(isNull(schema.trash.restoredAt), lt(schema.trash.expiresAt, at))).all();
      for (const t of due) await purge(t);
      if (due.length) log.info({ count: due.length }, 'expired trash emptied');
      return due.length;
    },
  };
}
