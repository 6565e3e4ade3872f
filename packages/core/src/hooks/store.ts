import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { AppError } from '../errors/index.js';
import { schema, type Db } from '../db/index.js';
import type { FolderService } from '../folder/index.js';
import type { CreateFolderHook, Folder, FolderHook, HookEvent, HookRun, UpdateFolderHook } from '../schemas/index.js';

export type HookRow = typeof schema.folderHooks.$inferSelect;
type RunRow = typeof schema.hookRuns.$inferSelect;

const toHook = (r: HookRow, folder: Pick<Folder, 'name'>, askedId: string): FolderHook => ({
  id: r.id,
  folderId: r.folderId,
  folderName: folder.name,
  name: r.name,
  events: r.events as HookEvent[],
  argv: r.argv,
  timeoutMs: r.timeoutMs,
  enabled: r.enabled,
  inherited: r.folderId !== askedId,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

export const toRun = (r: RunRow): HookRun => ({
  id: r.id,
  hookId: r.hookId,
  sessionId: r.sessionId,
  event: r.event as HookEvent,
  exitCode: r.exitCode,
  signal: r.signal,
  timedOut: r.timedOut,
  error: r.error,
  stdout: r.stdout,
  stderr: r.stderr,
  startedAt: r.startedAt.toISOString(),
  durationMs: r.durationMs,
});

export interface HookStore {
  /** The folder's hooks and its ancestors' (root first): all of them run for its sessions. */
  list(userId: string, folderId: string): FolderHook[];
  create(userId: string, folderId: string, input: CreateFolderHook): FolderHook;
  /** Changes one of the folder's own hooks (an inherited one is changed in its own folder). */
  update(userId: string, folderId: string, id: string, patch: UpdateFolderHook): FolderHook;
  /** Deletes one of the folder's own hooks, with its runs. Idempotent. */
  delete(userId: string, folderId: string, id: string): { id: string; deleted: boolean };
  /** A hook's runs, newest first (the hook in the folder's chain). */
  runs(userId: string, folderId: string, id: string, limit: number): HookRun[];
}

export function createHookStore(deps: { db: Db; folders: FolderService }): HookStore {
  const { db, folders } = deps;
  const chainOf = (userId: string, folderId: string) => [...folders.ancestors(userId, folderId), folders.get(userId, folderId)];
  const hookRow = (userId: string, id: string) => {
    const r = db.select().from(schema.folderHooks).where(and(eq(schema.folderHooks.id, id), eq(schema.folderHooks.userId, userId))).get();
    if (!r) throw new AppError('not_found', `hook ${id} not found`);
    return r;
  };
  const ownRow = (userId: string, folderId: string, id: string) => {
    folders.get(userId, folderId);
    const r = hookRow(userId, id);
    if (r.folderId !== folderId) throw new AppError('conflict', `hook ${id} belongs to another folder (${r.folderId}); change it there`);
    return r;
  };

  return {
    list(userId, folderId) {
      const chain = chainOf(userId, folderId);
      const byId = new Map(chain.map((f, i) => [f.id, { f, i }]));
      return db
        .select()
        .from(schema.folderHooks)
        .where(and(eq(schema.folderHooks.userId, userId), inArray(schema.folderHooks.folderId, chain.map((f) => f.id))))
        .orderBy(asc(schema.folderHooks.createdAt))
        .all()
        .sort((a, b) => byId.get(a.folderId)!.i - byId.get(b.folderId)!.i)
        .map((r) => toHook(r, byId.get(r.folderId)!.f, folderId));
    },
    create(userId, folderId, input) {
      const folder = folders.get(userId, folderId);
      const at = new Date();
      const r = db
        .insert(schema.folderHooks)
        .values({ id: randomUUID(), userId, folderId, ...input, createdAt: at, updatedAt: at })
        .returning()
        .get();
      return toHook(r, folder, folderId);
    },
    update(userId, folderId, id, patch) {
      ownRow(userId, folderId, id);
      const r = db.update(schema.folderHooks).set({ ...patch, updatedAt: new Date() }).where(eq(schema.folderHooks.id, id)).returning().get();
      return toHook(r, folders.get(userId, folderId), folderId);
    },
    delete(userId, folderId, id) {
      folders.get(userId, folderId);
      const changes = db
        .delete(schema.folderHooks)
        .where(and(eq(schema.folderHooks.id, id), eq(schema.folderHooks.userId, userId), eq(schema.folderHooks.folderId, folderId)))
        .run().changes;
      return { id, deleted: changes > 0 };
    },
    runs(userId, folderId, id, limit) {
      const chain = chainOf(userId, folderId);
      const r = hookRow(userId, id);
      if (!chain.some((f) => f.id === r.folderId)) throw new AppError('not_found', `hook ${id} not found in this folder`);
      return db.select().from(schema.hookRuns).where(eq(schema.hookRuns.hookId, id)).orderBy(desc(schema.hookRuns.startedAt)).limit(limit).all().map(toRun);
    },
  };
}
