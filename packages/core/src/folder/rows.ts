import { schema } from '../db/index.js';
import type { Agent, Folder, Preferences } from '../schemas/index.js';

export type FolderRow = typeof schema.folders.$inferSelect;

export function toFolder(row: FolderRow): Folder {
  return {
    id: row.id,
    name: row.name,
    parentId: row.parentId,
    position: row.position,
    defaultCwd: row.defaultCwd,
    defaultAgent: (row.defaultAgent as Agent | null) ?? null,
    env: row.env ?? {},
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

type PreferencesRow = typeof schema.preferences.$inferSelect;

/** A user's stored preferences, or the defaults when they never set any. */
export function toPreferences(r: PreferencesRow | undefined): Preferences {
  return {
    defaultCwd: r?.defaultCwd ?? null,
    defaultAgent: (r?.defaultAgent as Agent | null | undefined) ?? null,
    env: r?.env ?? {},
    theme: (r?.theme as Preferences['theme'] | undefined) ?? 'system',
    updatedAt: r?.updatedAt ? r.updatedAt.toISOString() : null,
  };
}
