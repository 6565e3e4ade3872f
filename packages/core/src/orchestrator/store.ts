import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { AppError } from '../errors/index.js';
import { schema, type Db } from '../db/index.js';
import { DEFAULT_NUDGE_TEXT, IdSchema, type Orchestrator, type UpdateOrchestrator } from '../schemas/index.js';

export type OrchestratorRow = typeof schema.orchestrators.$inferSelect;

export const MASTER_NAME = 'Master Control';

/** The API shape of an orchestrator row; `folderName` names a folder orchestrator. */
export function toOrchestrator(row: OrchestratorRow, folderName: string | null): Orchestrator {
  return {
    id: row.id,
    kind: row.kind,
    folderId: row.folderId,
    name: row.kind === 'master' ? MASTER_NAME : (folderName ?? 'Folder'),
    intervalSeconds: row.intervalSeconds,
    stallThresholdSeconds: row.stallThresholdSeconds,
    autoIntervention: row.autoIntervention,
    nudgeText: row.nudgeText ?? DEFAULT_NUDGE_TEXT,
    monitoring: row.monitoring,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Folder id → parent id, for the folders of some users. */
export type FolderParents = Map<string, string | null>;

/** The folder tree of some users, for scope checks. */
export function loadFolderParents(db: Db, userIds: readonly string[]): FolderParents {
  if (!userIds.length) return new Map();
  const rows = db
    .select({ id: schema.folders.id, parentId: schema.folders.parentId })
    .from(schema.folders)
    .where(inArray(schema.folders.userId, [...userIds]))
    .all();
  return new Map(rows.map((r) => [r.id, r.parentId]));
}

/** The folder and its ancestors, nearest first. */
export function folderChain(parents: FolderParents, folderId: string | null): string[] {
  const out: string[] = [];
  let id = folderId;
  while (id && !out.includes(id)) {
    out.push(id);
    id = parents.get(id) ?? null;
  }
  return out;
}

/** Master Control sees every session of its user; a folder orchestrator its folder's, subfolders included. */
export function inScope(o: Pick<OrchestratorRow, 'kind' | 'folderId'>, sessionFolderId: string | null, parents: FolderParents): boolean {
  return o.kind === 'master' || (o.folderId !== null && folderChain(parents, sessionFolderId).includes(o.folderId));
}

/** Rows of the orchestrators table, always scoped to their user (another user's id is not_found). */
export interface OrchestratorStore {
  row(userId: string, id: string): OrchestratorRow;
  /** Like row, but a deleted one (a tombstone) is found too. */
  rowOrTombstone(userId: string, id: string): OrchestratorRow;
  list(userId: string): Orchestrator[];
  toPublic(row: OrchestratorRow): Orchestrator;
  master(userId: string): OrchestratorRow | undefined;
  /** Whether the user ever had a Master Control, deleted ones (tombstones) included. */
  everHadMaster(userId: string): boolean;
  forFolder(userId: string, folderId: string): OrchestratorRow | undefined;
  insert(values: { userId: string; kind: 'master' | 'folder'; folderId: string | null; monitoring?: boolean } & Partial<UpdateOrchestrator>): OrchestratorRow;
  update(id: string, set: Partial<OrchestratorRow>): OrchestratorRow;
  /** Marks it deleted (monitoring off); the row stays as a tombstone. */
  delete(id: string): void;
  /** Every orchestrator (of every user) with monitoring on. */
  monitoring(): OrchestratorRow[];
}

/** Orchestrator rows over `db`; `defaults` fill settings a create leaves out. Holds no resources. */
export function createOrchestratorStore(db: Db, defaults: { intervalSeconds: number; stallThresholdSeconds: number }): OrchestratorStore {
  const live = isNull(schema.orchestrators.deletedAt);
  const monitoringQuery = db.select().from(schema.orchestrators).where(and(eq(schema.orchestrators.monitoring, true), live)).prepare();
  const folderName = (userId: string, folderId: string | null): string | null => {
    if (!folderId) return null;
    return (
      db
        .select({ name: schema.folders.name })
        .from(schema.folders)
        .where(and(eq(schema.folders.id, folderId), eq(schema.folders.userId, userId)))
        .get()?.name ?? null
    );
  };
  const store: OrchestratorStore = {
    row(userId, id) {
      const r = store.rowOrTombstone(userId, id);
      if (r.deletedAt) throw new AppError('not_found', `orchestrator ${id} not found`);
      return r;
    },
    rowOrTombstone(userId, id) {
      const r = IdSchema.safeParse(id).success
        ? db
            .select()
            .from(schema.orchestrators)
            .where(and(eq(schema.orchestrators.id, id), eq(schema.orchestrators.userId, userId)))
            .get()
        : undefined;
      if (!r) throw new AppError('not_found', `orchestrator ${id} not found`);
      return r;
    },
    list(userId) {
      const rows = db.select().from(schema.orchestrators).where(and(eq(schema.orchestrators.userId, userId), live)).all();
      const names = new Map(
        db
          .select({ id: schema.folders.id, name: schema.folders.name })
          .from(schema.folders)
          .where(eq(schema.folders.userId, userId))
          .all()
          .map((f) => [f.id, f.name]),
      );
      return rows
        .sort((a, b) => Number(b.kind === 'master') - Number(a.kind === 'master') || a.createdAt.getTime() - b.createdAt.getTime())
        .map((r) => toOrchestrator(r, r.folderId ? (names.get(r.folderId) ?? null) : null));
    },
    toPublic: (row) => toOrchestrator(row, folderName(row.userId, row.folderId)),
    master: (userId) =>
      db
        .select()
        .from(schema.orchestrators)
        .where(and(eq(schema.orchestrators.userId, userId), eq(schema.orchestrators.kind, 'master'), live))
        .get(),
    everHadMaster: (userId) =>
      db
        .select({ id: schema.orchestrators.id })
        .from(schema.orchestrators)
        .where(and(eq(schema.orchestrators.userId, userId), eq(schema.orchestrators.kind, 'master')))
        .get() !== undefined,
    forFolder: (userId, folderId) =>
      db
        .select()
        .from(schema.orchestrators)
        .where(and(eq(schema.orchestrators.userId, userId), eq(schema.orchestrators.kind, 'folder'), eq(schema.orchestrators.folderId, folderId), live))
        .get(),
    insert(values) {
      const at = new Date();
      return db
        .insert(schema.orchestrators)
        .values({
          id: randomUUID(),
          userId: values.userId,
          kind: values.kind,
          folderId: values.folderId,
          intervalSeconds: values.intervalSeconds ?? defaults.intervalSeconds,
          stallThresholdSeconds: values.stallThresholdSeconds ?? defaults.stallThresholdSeconds,
          autoIntervention: values.autoIntervention ?? false,
          nudgeText: values.nudgeText ?? null,
          monitoring: values.monitoring ?? false,
          createdAt: at,
          updatedAt: at,
        })
        .returning()
        .get();
    },
    update: (id, set) =>
      db
        .update(schema.orchestrators)
        .set({ ...set, updatedAt: new Date() })
        .where(eq(schema.orchestrators.id, id))
        .returning()
        .get(),
    delete(id) {
      const at = new Date();
      db.update(schema.orchestrators).set({ deletedAt: at, monitoring: false, updatedAt: at }).where(eq(schema.orchestrators.id, id)).run();
    },
    monitoring: () => monitoringQuery.all(),
  };
  return store;
}
