import { eq } from 'drizzle-orm';
import { schema, type Db } from '../db/index.js';
import type { EffectivePreferences, Folder, Preferences, UpdatePreferences } from '../schemas/index.js';
import { patchNotify, toPreferences } from './rows.js';

/** A user's preferences (defaults when none were stored). */
export function readPreferences(db: Db, userId: string): Preferences {
  return toPreferences(db.select().from(schema.preferences).where(eq(schema.preferences.userId, userId)).get());
}

/** Applies a patch: a field left out keeps its value, `null` clears it. */
export function writePreferences(db: Db, userId: string, patch: UpdatePreferences): Preferences {
  const current = readPreferences(db, userId);
  const stored = db.select({ data: schema.preferences.data }).from(schema.preferences).where(eq(schema.preferences.userId, userId)).get()?.data ?? {};
  const data = patch.notifications ? { ...stored, notifications: patchNotify(current.notifications, patch.notifications) } : stored;
  const next = {
    defaultCwd: patch.defaultCwd !== undefined ? patch.defaultCwd : current.defaultCwd,
    defaultAgent: patch.defaultAgent !== undefined ? patch.defaultAgent : current.defaultAgent,
    env: patch.env ?? current.env,
    theme: patch.theme ?? current.theme,
    data,
    updatedAt: new Date(),
  };
  db.insert(schema.preferences)
    .values({ userId, ...next })
    .onConflictDoUpdate({ target: schema.preferences.userId, set: next })
    .run();
  return readPreferences(db, userId);
}

/** user → each folder of `chain` (root first): a folder's default wins over the user's, env keys merge, later wins. */
export function mergePreferences(user: Preferences, chain: readonly Folder[]): EffectivePreferences {
  const result: EffectivePreferences = {
    defaultCwd: user.defaultCwd,
    defaultAgent: user.defaultAgent,
    env: { ...user.env },
    sources: { defaultCwd: user.defaultCwd ? 'user' : null, defaultAgent: user.defaultAgent ? 'user' : null },
  };
  for (const folder of chain) {
    if (folder.defaultCwd) {
      result.defaultCwd = folder.defaultCwd;
      result.sources.defaultCwd = folder.id;
    }
    if (folder.defaultAgent) {
      result.defaultAgent = folder.defaultAgent;
      result.sources.defaultAgent = folder.id;
    }
    Object.assign(result.env, folder.env);
  }
  return result;
}
