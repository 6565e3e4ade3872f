import { randomBytes, randomUUID } from 'node:crypto';
import { and, desc, eq, inArray, isNull, lt, or } from 'drizzle-orm';
import { AppError } from '../errors/index.js';
import { iso, schema, type Db } from '../db/index.js';
import type { LoginSession } from '../schemas/index.js';
import { hashToken } from './tokens.js';

/** How long a browser sign-in lasts: `idleMs` without a request ends it, and it never outlives `maxAgeMs`. */
export interface LoginSessionPolicy {
  idleMs: number;
  maxAgeMs: number;
}

type Row = typeof schema.loginSessions.$inferSelect;
const TOUCH_EVERY_MS = 60_000;

function toLoginSession(row: Row, policy: LoginSessionPolicy, now: number): LoginSession {
  const idleExpiresAt = new Date(row.lastSeenAt.getTime() + policy.idleMs);
  const end = Math.min(idleExpiresAt.getTime(), row.expiresAt.getTime());
  return {
    id: row.id,
    userAgent: row.userAgent,
    createdAt: row.createdAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    idleExpiresAt: idleExpiresAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    revokedAt: iso(row.revokedAt),
    state: row.revokedAt ? 'revoked' : end <= now ? 'expired' : 'active',
  };
}

/** Starts a sign-in for `userId`; the secret (the cookie value) exists only in the result. */
export function createLoginSession(
  db: Db,
  userId: string,
  policy: LoginSessionPolicy,
  userAgent: string | null = null,
  now = Date.now(),
): { secret: string; session: LoginSession } {
  const secret = `rdv_web_${randomBytes(32).toString('base64url')}`;
  const row = db
    .insert(schema.loginSessions)
    .values({
      id: randomUUID(),
      userId,
      hash: hashToken(secret),
      userAgent: userAgent ? userAgent.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 200) : null,
      createdAt: new Date(now),
      lastSeenAt: new Date(now),
      expiresAt: new Date(now + policy.maxAgeMs),
    })
    .returning()
    .get();
  return { secret, session: toLoginSession(row, policy, now) };
}

export type CheckLoginSessionResult =
  | { ok: true; sessionId: string; userId: string }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired'; sessionId?: string };

/** Checks a cookie's secret: the sign-in must exist, be unrevoked, not idle past the limit and not past its expiry. Touches it (once a minute). */
export function checkLoginSession(db: Db, secret: string, policy: LoginSessionPolicy, now = Date.now()): CheckLoginSessionResult {
  if (!secret || secret.length > 512) return { ok: false, reason: 'unknown' };
  const row = db.select().from(schema.loginSessions).where(eq(schema.loginSessions.hash, hashToken(secret))).get();
  if (!row) return { ok: false, reason: 'unknown' };
  const state = toLoginSession(row, policy, now).state;
  if (state !== 'active') return { ok: false, reason: state, sessionId: row.id };
  if (now - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    db.update(schema.loginSessions).set({ lastSeenAt: new Date(now) }).where(eq(schema.loginSessions.id, row.id)).run();
  }
  return { ok: true, sessionId: row.id, userId: row.userId };
}

/** Of `ids`, the sign-ins still active (live connections re-check with this). */
export function activeLoginSessionIds(db: Db, ids: string[], policy: LoginSessionPolicy, now = Date.now()): string[] {
  if (!ids.length) return [];
  return db
    .select()
    .from(schema.loginSessions)
    .where(inArray(schema.loginSessions.id, ids))
    .all()
    .filter((row) => toLoginSession(row, policy, now).state === 'active')
    .map((row) => row.id);
}

/** A user's sign-ins, newest first (ended ones too, until they are pruned). */
export function listLoginSessions(db: Db, userId: string, policy: LoginSessionPolicy, now = Date.now()): LoginSession[] {
  return db
    .select()
    .from(schema.loginSessions)
    .where(eq(schema.loginSessions.userId, userId))
    .orderBy(desc(schema.loginSessions.createdAt))
    .limit(200)
    .all()
    .map((row) => toLoginSession(row, policy, now));
}

/** Ends a user's sign-in. Idempotent; another user's is not_found. */
export function revokeLoginSession(db: Db, userId: string, id: string, policy: LoginSessionPolicy, now = Date.now()): LoginSession {
  const where = and(eq(schema.loginSessions.id, id), eq(schema.loginSessions.userId, userId));
  const row = db.select().from(schema.loginSessions).where(where).get();
  if (!row) throw new AppError('not_found', 'sign-in not found');
  if (row.revokedAt) return toLoginSession(row, policy, now);
  return toLoginSession(db.update(schema.loginSessions).set({ revokedAt: new Date(now) }).where(where).returning().get(), policy, now);
}

/** Signs out the browser holding `secret`; returns the sign-in's id and user, or null when there was none. */
export function endLoginSession(db: Db, secret: string, now = Date.now()): { id: string; userId: string } | null {
  if (!secret || secret.length > 512) return null;
  const row = db
    .update(schema.loginSessions)
    .set({ revokedAt: new Date(now) })
    .where(and(eq(schema.loginSessions.hash, hashToken(secret)), isNull(schema.loginSessions.revokedAt)))
    .returning()
    .get();
  return row ? { id: row.id, userId: row.userId } : null;
}

/** Deletes sign-ins that ended (revoked or expired) before `before`. Returns how many. */
export function pruneLoginSessions(db: Db, before: Date): number {
  return db
    .delete(schema.loginSessions)
    .where(or(lt(schema.loginSessions.expiresAt, before), lt(schema.loginSessions.revokedAt, before)))
    .run().changes;
}
