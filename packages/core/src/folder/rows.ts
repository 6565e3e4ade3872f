import { schema } from '../db/index.js';
import { NotifyPreferencesSchema, type Agent, type Folder, type NotifyPreferences, type Preferences } from '../schemas/index.js';

/** `notifications` out of a stored preferences object; anything malformed counts as unset. */
export function storedNotify(stored: Record<string, unknown> | null | undefined): NotifyPreferences {
  const parsed = NotifyPreferencesSchema.safeParse(stored?.notifications);
  return parsed.success ? parsed.data : {};
}

/** Applies a notifications patch (null: inherit again) to what is stored. */
export function patchNotify(current: NotifyPreferences, patch: Partial<Record<string, boolean | null>>): NotifyPreferences {
  const next: Record<string, boolean> = { ...current };
  for (const [type, value] of Object.entries(patch)) {
    if (value === null || value === undefined) delete next[type];
    else next[type] = value;
  }
  return next as NotifyPreferences;
}

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
    notifications: storedNotify(row.preferences),
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
    notifications: storedNotify(r?.data),
    updatedAt: r?.updatedAt ? r.updatedAt.toISOString() : null,
  };
}
