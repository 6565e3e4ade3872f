import { randomUUID } from 'node:crypto';
import { and, asc, eq, isNull, max } from 'drizzle-orm';
import { AppError } from '../errors/index.js';
import { schema, type Db } from '../db/index.js';
import type { EventBus } from '../events/index.js';
import type { CreateFolder, EffectivePreferences, Folder, Preferences, UpdateFolder, UpdatePreferences } from '../schemas/index.js';
import { mergePreferences, readPreferences, writePreferences } from './preferences.js';
import { patchNotify, storedNotify, toFolder, type FolderRow } from './rows.js';

export interface FolderService {
  create(userId: string, input: CreateFolder): Folder;
  /** A user's folder; another user's or a missing one is not_found. */
  get(userId: string, id: string): Folder;
  list(userId: string): Folder[];
  children(userId: string, id: string | null): Folder[];
  /** The folder's ancestors, root first. */
  ancestors(userId: string, id: string): Folder[];
  update(userId: string, id: string, patch: UpdateFolder): Folder;
  /**
   * Deletes a folder. Nothing inside is lost: its sessions and child folders move up to
   * the deleted folder's parent (or the top level). Idempotent.
   */
  delete(userId: string, id: string): { deleted: boolean; movedSessions: number; movedFolders: number };
  /** Sets the order of folders under one parent: `ids` first, in that order. */
  reorder(userId: string, parentId: string | null, ids: string[]): Folder[];
  getPreferences(userId: string): Preferences;
  updatePreferences(userId: string, patch: UpdatePreferences): Preferences;
  /** user → folder ancestors (root first) → folder; env keys merge, later wins. */
  effectivePreferences(userId: string, folderId: string | null): EffectivePreferences;
}

const parentIs = (parentId: string | null) =>
  parentId ? eq(schema.folders.parentId, parentId) : isNull(schema.folders.parentId);

export function createFolderService(deps: { db: Db; events: EventBus }): FolderService {
  const { db, events } = deps;

  const row = (userId: string, id: string): FolderRow => {
    const r = db
      .select()
      .from(schema.folders)
      .where(and(eq(schema.folders.id, id), eq(schema.folders.userId, userId)))
      .get();
    if (!r) throw new AppError('not_found', `folder ${id} not found`);
    return r;
  };

  const nextPosition = (userId: string, parentId: string | null): number => {
    const r = db
      .select({ m: max(schema.folders.position) })
      .from(schema.folders)
      .where(and(eq(schema.folders.userId, userId), parentIs(parentId)))
      .get();
    return (r?.m ?? -1) + 1;
  };

  const ancestorsOf = (userId: string, id: string): Folder[] => {
    const chain: Folder[] = [];
    const seen = new Set<string>([id]);
    let parentId = row(userId, id).parentId;
    while (parentId) {
      if (seen.has(parentId)) break; // defensive: a cycle can't be written, but never loop
      seen.add(parentId);
      const parent = row(userId, parentId);
      chain.unshift(toFolder(parent));
      parentId = parent.parentId;
    }
    return chain;
  };

  const service: FolderService = {
    create(userId, input) {
      const parentId = input.parentId ?? null;
      if (parentId) row(userId, parentId);
      const at = new Date();
      const created = db
        .insert(schema.folders)
        .values({
          id: randomUUID(),
          userId,
          parentId,
          name: input.name,
          position: nextPosition(userId, parentId),
          defaultCwd: input.defaultCwd ?? null,
          defaultAgent: input.defaultAgent ?? null,
          env: input.env ?? {},
          createdAt: at,
          updatedAt: at,
        })
        .returning()
        .get();
      const folder = toFolder(created);
      events.publish(userId, 'folder.created', { folder });
      return folder;
    },
    get: (userId, id) => toFolder(row(userId, id)),
    list(userId) {
      return db
        .select()
        .from(schema.folders)
        .where(eq(schema.folders.userId, userId))
        .orderBy(asc(schema.folders.position), asc(schema.folders.createdAt))
        .all()
        .map(toFolder);
    },
    children(userId, id) {
      if (id) row(userId, id);
      return db
        .select()
        .from(schema.folders)
        .where(and(eq(schema.folders.userId, userId), parentIs(id)))
        .orderBy(asc(schema.folders.position), asc(schema.folders.createdAt))
        .all()
        .map(toFolder);
    },
    ancestors: ancestorsOf,
    update(userId, id, patch) {
      const current = row(userId, id);
      const set: Partial<FolderRow> = { updatedAt: new Date() };
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.defaultCwd !== undefined) set.defaultCwd = patch.defaultCwd;
      if (patch.defaultAgent !== undefined) set.defaultAgent = patch.defaultAgent;
      if (patch.env !== undefined) set.env = patch.env;
      if (patch.notifications !== undefined) {
        set.preferences = { ...(current.preferences ?? {}), notifications: patchNotify(storedNotify(current.preferences), patch.notifications) };
      }
      if (patch.parentId !== undefined && patch.parentId !== current.parentId) {
        if (patch.parentId === id) throw new AppError('invalid_input', 'a folder cannot be its own parent');
        if (patch.parentId) {
          row(userId, patch.parentId);
          if (ancestorsOf(userId, patch.parentId).some((f) => f.id === id)) {
            throw new AppError('invalid_input', 'a folder cannot move into its own subfolder');
          }
        }
        set.parentId = patch.parentId;
        set.position = nextPosition(userId, patch.parentId);
      }
      const updated = db.update(schema.folders).set(set).where(eq(schema.folders.id, id)).returning().get();
      const folder = toFolder(updated);
      events.publish(userId, 'folder.updated', { folder });
      return folder;
    },
    delete(userId, id) {
      const current = db
        .select()
        .from(schema.folders)
        .where(and(eq(schema.folders.id, id), eq(schema.folders.userId, userId)))
        .get();
      if (!current) return { deleted: false, movedSessions: 0, movedFolders: 0 };
      const result = db.transaction((tx) => {
        const movedSessions = tx
          .update(schema.sessions)
          .set({ folderId: current.parentId, updatedAt: new Date() })
          .where(and(eq(schema.sessions.userId, userId), eq(schema.sessions.folderId, id)))
          .run().changes;
        const movedFolders = tx
          .update(schema.folders)
          .set({ parentId: current.parentId, updatedAt: new Date() })
          .where(and(eq(schema.folders.userId, userId), eq(schema.folders.parentId, id)))
          .run().changes;
        tx.delete(schema.orchestrators).where(eq(schema.orchestrators.folderId, id)).run();
        tx.delete(schema.folders).where(eq(schema.folders.id, id)).run();
        return { deleted: true, movedSessions, movedFolders };
      });
      events.publish(userId, 'folder.deleted', { folderId: id, parentId: current.parentId, ...result });
      return result;
    },
    reorder(userId, parentId, ids) {
      if (parentId) row(userId, parentId);
      const siblings = service.children(userId, parentId);
      const known = new Set(siblings.map((f) => f.id));
      const unknown = ids.filter((i) => !known.has(i));
      if (unknown.length) throw new AppError('not_found', `folder(s) not found under that parent: ${unknown.join(', ')}`);
      const order = [...ids, ...siblings.map((f) => f.id).filter((i) => !ids.includes(i))];
      db.transaction((tx) => {
        order.forEach((fid, position) => {
          tx.update(schema.folders).set({ position, updatedAt: new Date() }).where(eq(schema.folders.id, fid)).run();
        });
      });
      const result = service.children(userId, parentId);
      events.publish(userId, 'folder.updated', { reordered: result.map((f) => f.id), parentId });
      return result;
    },
    getPreferences: (userId) => readPreferences(db, userId),
    updatePreferences(userId, patch) {
      const prefs = writePreferences(db, userId, patch);
      events.publish(userId, 'preferences.updated', { preferences: prefs });
      return prefs;
    },
    effectivePreferences(userId, folderId) {
      const chain = folderId ? [...ancestorsOf(userId, folderId), service.get(userId, folderId)] : [];
      return mergePreferences(readPreferences(db, userId), chain);
    },
  };
  return service;
}
