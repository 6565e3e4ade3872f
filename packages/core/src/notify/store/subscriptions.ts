import { randomUUID } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import { iso, schema, type Db } from '../../db/index.js';
import type { CreatePushSubscription, PushSubscriptionInfo } from '../../schemas/index.js';
import { hostOf, type PushTarget } from '../channels/push.js';

type Row = typeof schema.pushSubscriptions.$inferSelect;

export interface StoredPushSubscription extends PushTarget {
  id: string;
  userId: string;
}

/** The API shape: the endpoint only by host (its path is a capability), no keys. */
export function toPushSubscriptionInfo(row: Row): PushSubscriptionInfo {
  return {
    id: row.id,
    deviceLabel: row.deviceLabel,
    endpointHost: hostOf(row.endpoint),
    createdAt: row.createdAt.toISOString(),
    lastSuccessAt: iso(row.lastSuccessAt),
    lastFailureAt: iso(row.lastFailureAt),
  };
}

/**
 * Saves a browser's subscription for a user. The same endpoint again (a browser
 * re-subscribing, or handed to another user) replaces the earlier record.
 */
export function savePushSubscription(db: Db, userId: string, input: CreatePushSubscription): PushSubscriptionInfo {
  const values = {
    userId,
    deviceLabel: input.deviceLabel || hostOf(input.endpoint),
    endpoint: input.endpoint,
    p256dh: input.keys.p256dh,
    auth: input.keys.auth,
    createdAt: new Date(),
    lastSuccessAt: null,
    lastFailureAt: null,
  };
  const row = db
    .insert(schema.pushSubscriptions)
    .values({ id: randomUUID(), ...values })
    .onConflictDoUpdate({ target: schema.pushSubscriptions.endpoint, set: values })
    .returning()
    .get();
  return toPushSubscriptionInfo(row);
}

/** A user's devices, oldest first. */
export function listPushSubscriptions(db: Db, userId: string): PushSubscriptionInfo[] {
  return db
    .select()
    .from(schema.pushSubscriptions)
    .where(eq(schema.pushSubscriptions.userId, userId))
    .orderBy(asc(schema.pushSubscriptions.createdAt))
    .all()
    .map(toPushSubscriptionInfo);
}

/** What a sender needs for each of a user's devices. */
export function pushTargetsOf(db: Db, userId: string): StoredPushSubscription[] {
  return db
    .select()
    .from(schema.pushSubscriptions)
    .where(eq(schema.pushSubscriptions.userId, userId))
    .all()
    .map((r) => ({ id: r.id, userId: r.userId, endpoint: r.endpoint, keys: { p256dh: r.p256dh, auth: r.auth } }));
}

/** Removes one of a user's devices; false when it is not theirs or already gone. */
export function removePushSubscription(db: Db, userId: string, id: string): boolean {
  const res = db
    .delete(schema.pushSubscriptions)
    .where(and(eq(schema.pushSubscriptions.id, id), eq(schema.pushSubscriptions.userId, userId)))
    .run();
  return res.changes > 0;
}

/** Notes the outcome of a delivery; a `gone` one (404/410 from the push service) removes the record. */
export function recordPushOutcome(db: Db, id: string, outcome: { ok: boolean; gone?: boolean }, at = new Date()): void {
  const t = schema.pushSubscriptions;
  if (outcome.gone) db.delete(t).where(eq(t.id, id)).run();
  else db.update(t).set(outcome.ok ? { lastSuccessAt: at } : { lastFailureAt: at }).where(eq(t.id, id)).run();
}
