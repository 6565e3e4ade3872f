import { randomBytes, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { schema, type Db } from '../db/index.js';
import { hashToken } from './tokens.js';

/**
 * Hook credentials: one per session, made when its tmux session starts and handed to it as
 * RDV_HOOK_TOKEN. It may post that session's agent events and nothing else — the general
 * authenticator never looks at them (they are not in the tokens table), and the agent-events
 * route checks one against the session the request names. Only a digest is kept, on the
 * session's row; a new one replaces the last (a restarted tmux session gets its own).
 */
const PREFIX = 'rdv_hook_';
const SHAPE = /^rdv_hook_[A-Za-z0-9_-]{43}$/;

/** A new hook credential for the session; the previous one stops working. */
export function issueHookToken(db: Db, sessionId: string): string {
  const secret = PREFIX + randomBytes(32).toString('base64url');
  db.update(schema.sessions).set({ hookTokenHash: hashToken(secret) }).where(eq(schema.sessions.id, sessionId)).run();
  return secret;
}

/** The session's hook credential no longer works (the session closed). */
export function revokeHookToken(db: Db, sessionId: string): void {
  db.update(schema.sessions).set({ hookTokenHash: null }).where(eq(schema.sessions.id, sessionId)).run();
}

export type HookTokenCheck = { ok: true; userId: string; status: string } | { ok: false };

/** Whether `secret` is the hook credential of `sessionId` (compared in constant time). */
export function verifyHookToken(db: Db, sessionId: string, secret: string): HookTokenCheck {
  if (!SHAPE.test(secret)) return { ok: false };
  const row = db
    .select({ userId: schema.sessions.userId, status: schema.sessions.status, hash: schema.sessions.hookTokenHash })
    .from(schema.sessions)
    .where(eq(schema.sessions.id, sessionId))
    .get();
  if (!row?.hash) return { ok: false };
  const a = Buffer.from(row.hash, 'hex');
  const b = Buffer.from(hashToken(secret), 'hex');
  return a.length === b.length && timingSafeEqual(a, b) ? { ok: true, userId: row.userId, status: row.status } : { ok: false };
}

/** Whether a bearer value looks like a hook credential (so other routes can say what it is for). */
export const isHookToken = (secret: string): boolean => secret.startsWith(PREFIX);
