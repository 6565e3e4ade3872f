import { and, count, desc, eq, inArray, lt } from 'drizzle-orm';
import { schema, type Db } from '../../db/index.js';
import type { AttentionType, InsightSeverity, Notification } from '../../schemas/index.js';

type Row = typeof schema.notifications.$inferSelect;

export function toNotification(row: Row): Notification {
  return {
    id: row.id,
    type: row.type as AttentionType,
    severity: row.severity as InsightSeverity,
    sessionId: row.sessionId,
    sessionName: row.sessionName,
    insightId: row.insightId,
    title: row.title,
    body: row.body,
    url: row.url,
    count: row.count,
    read: row.read,
    createdAt: row.createdAt.toISOString(),
  };
}

export type NewNotification = Omit<Notification, 'read' | 'createdAt'> & { userId: string; createdAt: Date };

/** Adds an entry to a user's notification centre, unread. */
export function addNotification(db: Db, input: NewNotification): Notification {
  const row = db
    .insert(schema.notifications)
    .values({ ...input, read: false })
    .returning()
    .get();
  return toNotification(row);
}

export interface ListNotificationsOptions {
  unreadOnly?: boolean;
  limit?: number;
  /** Entries older than this one (its createdAt), for the next page. */
  before?: Date;
}

/** A user's notifications, newest first. */
export function listNotifications(db: Db, userId: string, options: ListNotificationsOptions = {}): Notification[] {
  const t = schema.notifications;
  const where = [eq(t.userId, userId)];
  if (options.unreadOnly) where.push(eq(t.read, false));
  if (options.before) where.push(lt(t.createdAt, options.before));
  return db
    .select()
    .from(t)
    .where(and(...where))
    .orderBy(desc(t.createdAt), desc(t.id))
    .limit(Math.min(Math.max(options.limit ?? 50, 1), 500))
    .all()
    .map(toNotification);
}

export function countUnread(db: Db, userId: string): number {
  const t = schema.notifications;
  return db.select({ n: count() }).from(t).where(and(eq(t.userId, userId), eq(t.read, false))).get()?.n ?? 0;
}

/** Marks some of a user's notifications read (all of them when `ids` is 'all'); returns how many changed. */
export function markNotificationsRead(db: Db, userId: string, ids: readonly string[] | 'all'): number {
  const t = schema.notifications;
  const where = [eq(t.userId, userId), eq(t.read, false)];
  if (ids !== 'all') {
    if (!ids.length) return 0;
    where.push(inArray(t.id, [...ids]));
  }
  return db.update(t).set({ read: true }).where(and(...where)).run().changes;
}

/** Deletes notifications created before `before` (the centre keeps a bounded history). */
export function pruneNotifications(db: Db, before: Date): number {
  return db.delete(schema.notifications).where(lt(schema.notifications.createdAt, before)).run().changes;
}
