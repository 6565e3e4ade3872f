import { ATTENTION_TYPES, NotifyPreferencesSchema, type AttentionType, type NotifyPreferences } from '../schemas/index.js';

/** Every attention type notifies unless a folder or the user turns it off. */
export const DEFAULT_NOTIFY_PREFERENCES: Readonly<Record<AttentionType, boolean>> = Object.fromEntries(
  ATTENTION_TYPES.map((t) => [t, true]),
) as Record<AttentionType, boolean>;

/** What the dispatcher asks: does `type` notify for this user, for a session in these folders? */
export interface PreferenceQuery {
  userId: string;
  /** The session's folder and its ancestors, nearest first; empty outside folders. */
  folderIds: readonly string[];
  type: AttentionType;
}

export type ResolvePreference = (query: PreferenceQuery) => boolean | Promise<boolean>;

/**
 * The first layer that sets `type` wins: pass the layers nearest first (folder, its parent,
 * …, the user); none set means the default.
 */
export function inheritPreference(layers: ReadonlyArray<NotifyPreferences | null | undefined>, type: AttentionType): boolean {
  for (const layer of layers) {
    const value = layer?.[type];
    if (typeof value === 'boolean') return value;
  }
  return DEFAULT_NOTIFY_PREFERENCES[type];
}

/**
 * Reads `notifications` out of a stored preferences object (a folder's or a user's `data`);
 * a malformed value counts as unset rather than failing a notification.
 */
export function notifyPreferencesOf(stored: Record<string, unknown> | null | undefined): NotifyPreferences | null {
  const parsed = NotifyPreferencesSchema.safeParse(stored?.notifications);
  return parsed.success ? parsed.data : null;
}

export interface PreferenceSources {
  folder(userId: string, folderId: string): Record<string, unknown> | null | undefined;
  user(userId: string): Record<string, unknown> | null | undefined;
}

/** A ResolvePreference over stored folder and user preferences, inherited folder → parent → user. */
export function createPreferenceResolver(sources: PreferenceSources): ResolvePreference {
  return ({ userId, folderIds, type }) => {
    const layers = folderIds.map((id) => notifyPreferencesOf(sources.folder(userId, id)));
    layers.push(notifyPreferencesOf(sources.user(userId)));
    return inheritPreference(layers, type);
  };
}
