import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, isNull, lt } from 'drizzle-orm';
import { hashToken, safeEqual } from '../../auth/index.js';
import { schema, type Db } from '../../db/index.js';
import type { NotifyAction } from '../../schemas/index.js';

/** How long a notification's answer stays usable. */
export const ACTION_TOKEN_TTL_MS = 10 * 60_000;

const PREFIX = 'rdv_act_';
const TOKEN = /^rdv_act_([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/;

export interface IssuedActionToken {
  action: NotifyAction;
  token: string;
  expiresAt: Date;
}

/**
 * One single-use token per action, bound to the user, the insight and that action. Only
 * a digest of each secret is stored; the tokens exist only in what the caller sends.
 */
export function issueActionTokens(
  db: Db,
  input: { userId: string; insightId: string; actions: readonly NotifyAction[]; ttlMs?: number; now?: Date },
): IssuedActionToken[] {
  const now = input.now ?? new Date();
  const expiresAt = new Date(now.getTime() + (input.ttlMs ?? ACTION_TOKEN_TTL_MS));
  return input.actions.map((action) => {
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    db.insert(schema.actionTokens)
      .values({ id, userId: input.userId, insightId: input.insightId, action, hash: hashToken(secret), createdAt: now, expiresAt })
      .run();
    return { action, token: `${PREFIX}${id}.${secret}`, expiresAt };
  });
}

export type ActionRefusal = 'invalid' | 'used' | 'expired' | 'revoked' | 'wrong_insight';

export const ACTION_REFUSALS: Readonly<Record<ActionRefusal, string>> = {
  invalid: 'This action is not valid.',
  used: 'This action was already used.',
  expired: 'This notification is too old to answer from; open the session instead.',
  revoked: 'The session has moved on since this notification; open it to see where it is.',
  wrong_insight: 'This action belongs to another notification.',
};

export type ConsumeActionResult =
  | { ok: true; userId: string; insightId: string; action: NotifyAction }
  | { ok: false; reason: ActionRefusal; message: string };

const refuse = (reason: ActionRefusal): ConsumeActionResult => ({ ok: false, reason, message: ACTION_REFUSALS[reason] });

/**
 * Uses up an action token. `expect` binds it further: the caller's user (another user's
 * token is `invalid`, revealing nothing) and the insight the request names. The secret is
 * compared in constant time; a refused token stays as it was, a good one is spent at once.
 */
export function consumeActionToken(db: Db, token: string, expect: { userId?: string; insightId?: string } = {}, now = new Date()): ConsumeActionResult {
  const m = TOKEN.exec(token);
  if (!m) return refuse('invalid');
  const [, id, secret] = m as unknown as [string, string, string];
  const t = schema.actionTokens;
  const row = db.select().from(t).where(eq(t.id, id)).get();
  if (!row || !safeEqual(hashToken(secret), row.hash)) return refuse('invalid');
  if (expect.userId !== undefined && expect.userId !== row.userId) return refuse('invalid');
  if (row.usedAt) return refuse('used');
  if (row.revokedAt) return refuse('revoked');
  if (row.expiresAt.getTime() <= now.getTime()) return refuse('expired');
  if (expect.insightId !== undefined && expect.insightId !== row.insightId) return refuse('wrong_insight');
  // The guard on used_at makes two racing taps spend it once.
  const spent = db
    .update(t)
    .set({ usedAt: now })
    .where(and(eq(t.id, id), isNull(t.usedAt), isNull(t.revokedAt)))
    .run();
  if (spent.changes === 0) return refuse('used');
  // One answer per notification: the sibling actions (Deny beside Allow) go with it.
  db.update(t)
    .set({ revokedAt: now })
    .where(and(eq(t.insightId, row.insightId), isNull(t.usedAt), isNull(t.revokedAt)))
    .run();
  return { ok: true, userId: row.userId, insightId: row.insightId, action: row.action as NotifyAction };
}

/** Revokes every unspent token of an insight (it was answered or resolved another way). */
export function revokeActionTokens(db: Db, insightId: string, now = new Date()): number {
  const t = schema.actionTokens;
  return db
    .update(t)
    .set({ revokedAt: now })
    .where(and(eq(t.insightId, insightId), isNull(t.usedAt), isNull(t.revokedAt)))
    .run().changes;
}

/**
 * Deletes tokens that expired before `before` (default: a day ago). Kept a while past
 * expiry so a late tap is told "too old" rather than "not valid".
 */
export function pruneActionTokens(db: Db, before = new Date(Date.now() - 86_400_000)): number {
  const t = schema.actionTokens;
  return db.delete(t).where(lt(t.expiresAt, before)).run().changes;
}
