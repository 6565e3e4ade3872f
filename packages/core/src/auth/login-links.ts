import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, isNull, lt } from 'drizzle-orm';
import { schema, type Db } from '../db/index.js';
import { getUser } from './users.js';
import { hashToken } from './tokens.js';
import type { User } from '../schemas/index.js';

export const LOGIN_LINK_TTL_MS = 10 * 60_000;

/** A one-time browser login code for a user (local mode). Only its digest is stored. */
export function createLoginLink(db: Db, userId: string, ttlMs = LOGIN_LINK_TTL_MS): { code: string; expiresAt: Date } {
  const code = randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlMs);
  db.delete(schema.loginLinks).where(lt(schema.loginLinks.expiresAt, new Date())).run();
  db.insert(schema.loginLinks)
    .values({ id: randomUUID(), userId, hash: hashToken(code), createdAt: new Date(), expiresAt })
    .run();
  return { code, expiresAt };
}

/** Uses up a login code: the user it was made for, or null when unknown, used or expired. */
export function redeemLoginLink(db: Db, code: string): User | null {
  if (!code || code.length > 200) return null;
  const used = db
    .update(schema.loginLinks)
    .set({ usedAt: new Date() })
    .where(and(eq(schema.loginLinks.hash, hashToken(code)), isNull(schema.loginLinks.usedAt)))
    .returning()
    .get();
  if (!used || used.expiresAt.getTime() <= Date.now()) return null;
  return getUser(db, used.userId);
}
