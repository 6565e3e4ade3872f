// Insights become notifications: each one that opens (from a hook or the screen) is an
// attention event for the notifier; one that changes what it asks is a new event (its old
// answer tokens revoked, so a stale notification cannot answer the new prompt); one that
// resolves revokes its tokens and drops what was folded for the session.
import { eq } from 'drizzle-orm';
import { schema, type Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { revokeActionTokens, type AttentionEvent, type Notifier, type PreferenceSources } from '../notify/index.js';
import type { AttentionType, InsightSeverity } from '../schemas/index.js';
import type { InsightRow } from './insights.js';
import { folderChain, loadFolderParents } from './store.js';

/** What the insight store tells about each change. */
export interface InsightObserver {
  created(row: InsightRow): void;
  updated(previous: InsightRow, next: InsightRow): void;
  resolved(row: InsightRow): void;
}

/** The attention type an insight stands for; null for one that never notifies. */
export function attentionTypeOf(row: Pick<InsightRow, 'type' | 'context'>): AttentionType | null {
  const reason = (row.context as { reason?: unknown } | null)?.reason;
  switch (row.type) {
    case 'waiting_input':
      if (reason === 'ready') return 'turn_finished';
      return reason === 'question' || reason === 'requested' ? 'question' : 'permission';
    case 'stalled':
      return 'stalled';
    case 'error':
      return 'errored';
    case 'exited':
      return 'exited';
    default:
      return null;
  }
}

/** Stored preferences of folders and users, for the notifier's per-type switches. */
export function storedPreferenceSources(db: Db): PreferenceSources {
  return {
    folder: (userId, folderId) =>
      db.select({ p: schema.folders.preferences, u: schema.folders.userId }).from(schema.folders).where(eq(schema.folders.id, folderId)).get()?.p,
    user: (userId) => db.select({ d: schema.preferences.data }).from(schema.preferences).where(eq(schema.preferences.userId, userId)).get()?.d,
  };
}

/** Feeds the notifier from insight changes. Holds nothing; the notifier is the caller's. */
export function createAttentionFeed(deps: { db: Db; notifier: Notifier; log: Logger }): InsightObserver {
  const { db, notifier, log } = deps;

  const eventOf = (row: InsightRow): AttentionEvent | null => {
    const type = attentionTypeOf(row);
    if (!type) return null;
    const session = db
      .select({ name: schema.sessions.name, folderId: schema.sessions.folderId })
      .from(schema.sessions)
      .where(eq(schema.sessions.id, row.sessionId))
      .get();
    if (!session) return null;
    const chain = folderChain(loadFolderParents(db, [row.userId]), session.folderId).reverse();
    const names = new Map(
      db
        .select({ id: schema.folders.id, name: schema.folders.name })
        .from(schema.folders)
        .where(eq(schema.folders.userId, row.userId))
        .all()
        .map((f) => [f.id, f.name]),
    );
    const context = (row.context ?? {}) as { message?: unknown; options?: unknown };
    return {
      userId: row.userId,
      type,
      severity: row.severity as InsightSeverity,
      sessionId: row.sessionId,
      sessionName: session.name,
      folders: chain.map((id) => ({ id, name: names.get(id) ?? '' })),
      insightId: row.id,
      message: typeof context.message === 'string' && context.message ? context.message : row.message,
      options: Array.isArray(context.options) ? context.options.filter((o): o is string => typeof o === 'string') : undefined,
    };
  };

  // After the current request or scan step: a hook's answer (and the agent waiting on it)
  // must not wait for push encryption or the webhook.
  const send = (row: InsightRow) =>
    setImmediate(() => {
      const event = eventOf(row);
      // The notifier logs its own failures; a rejected promise here would be a bug in it.
      if (event) notifier.notify(event).catch((err: unknown) => log.error({ err, insightId: row.id }, 'could not notify'));
    });

  return {
    created(row) {
      send(row);
    },
    updated(previous, next) {
      const askedBefore = `${attentionTypeOf(previous)}|${(previous.context as { message?: unknown })?.message ?? previous.message}`;
      const askedNow = `${attentionTypeOf(next)}|${(next.context as { message?: unknown })?.message ?? next.message}`;
      if (askedBefore === askedNow) return;
      revokeActionTokens(db, next.id);
      send(next);
    },
    resolved(row) {
      revokeActionTokens(db, row.id);
      notifier.discard(row.userId, row.sessionId);
    },
  };
}
