import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, sql } from 'drizzle-orm';
import { AppError } from '../errors/index.js';
import { iso, schema, type Db } from '../db/index.js';
import { TOKEN_ABILITIES, type Token, type TokenKind } from '../schemas/index.js';

const PREFIX: Record<TokenKind, string> = { cli: 'rdv_cli_', api_key: 'rdv_key_' };

/** SHA-256 hex of a token; only this is stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time equality of two secrets of any length (compares their digests). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/** A new 256-bit secret with a kind prefix, e.g. `rdv_cli_…`. */
export function generateSecret(kind: TokenKind): string {
  return PREFIX[kind] + randomBytes(32).toString('base64url');
}

type TokenRow = typeof schema.tokens.$inferSelect;

export function toToken(row: TokenRow): Token {
  return {
    id: row.id,
    kind: row.kind,
    may: TOKEN_ABILITIES[row.kind],
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: iso(row.lastUsedAt),
    expiresAt: iso(row.expiresAt),
    revokedAt: iso(row.revokedAt),
  };
}

export interface CreateTokenInput {
  userId: string;
  kind: TokenKind;
  name: string;
  expiresAt?: Date | null;
}

/** Creates a token and returns its secret — the only time the secret exists outside the caller. */
export function createToken(db: Db, input: CreateTokenInput): { token: string; record: Token } {
  const secret = generateSecret(input.kind);
  const row = db
    .insert(schema.tokens)
    .values({
      id: randomUUID(),
      userId: input.userId,
      kind: input.kind,
      name: input.name,
      hash: hashToken(secret),
      prefix: secret.slice(0, PREFIX[input.kind].length + 4),
      createdAt: new Date(),
      expiresAt: input.expiresAt ?? null,
    })
    .returning()
    .get();
  return { token: secret, record: toToken(row) };
}

export function listTokens(db: Db, userId: string): Token[] {
  return db
    .select()
    .from(schema.tokens)
    .where(eq(schema.tokens.userId, userId))
    .orderBy(desc(schema.tokens.createdAt))
    .all()
    .map(toToken);
}

let revocations = 0;
/** Counts the revocations made by this process: what remembers a verified token asks it again when this moves. */
export const tokenRevocations = (): number => revocations;

/** Revokes a user's token. Idempotent; another user's token is not_found. */
export function revokeToken(db: Db, userId: string, tokenId: string): Token {
  const row = db
    .select()
    .from(schema.tokens)
    .where(and(eq(schema.tokens.id, tokenId), eq(schema.tokens.userId, userId)))
    .get();
  if (!row) throw new AppError('not_found', 'token not found');
  if (row.revokedAt) return toToken(row);
  const updated = db
    .update(schema.tokens)
    .set({ revokedAt: new Date() })
    .where(eq(schema.tokens.id, tokenId))
    .returning()
    .get();
  revocations += 1;
  return toToken(updated);
}

export interface VerifiedToken {
  tokenId: string;
  userId: string;
  kind: TokenKind;
  /** When it expires (ms since the epoch), or null. */
  expiresAt: number | null;
}

export type VerifyTokenResult =
  | { ok: true; token: VerifiedToken }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired'; tokenId?: string };

// Every authenticated request looks its token up: the query is built and prepared once per database.
const byHash = new WeakMap<Db, ReturnType<typeof prepareTokenByHash>>();
const prepareTokenByHash = (db: Db) =>
  db.select().from(schema.tokens).where(eq(schema.tokens.hash, sql.placeholder('hash'))).prepare();
function tokenByHash(db: Db) {
  let q = byHash.get(db);
  if (!q) byHash.set(db, (q = prepareTokenByHash(db)));
  return q;
}

/**
 * Checks a bearer secret. Looks the row up by digest, then compares digests in constant
 * time. Updates last-used at most once a minute per token.
 */
export function verifyToken(db: Db, secret: string, at = new Date()): VerifyTokenResult {
  if (!secret || secret.length > 512) return { ok: false, reason: 'unknown' };
  const digest = hashToken(secret);
  const row = tokenByHash(db).get({ hash: digest });
  if (!row || !timingSafeEqual(Buffer.from(row.hash, 'hex'), Buffer.from(digest, 'hex'))) {
    return { ok: false, reason: 'unknown' };
  }
  if (row.revokedAt) return { ok: false, reason: 'revoked', tokenId: row.id };
  if (row.expiresAt && row.expiresAt.getTime() <= at.getTime()) {
    return { ok: false, reason: 'expired', tokenId: row.id };
  }
  if (!row.lastUsedAt || at.getTime() - row.lastUsedAt.getTime() > 60_000) {
    db.update(schema.tokens).set({ lastUsedAt: at }).where(eq(schema.tokens.id, row.id)).run();
  }
  return { ok: true, token: { tokenId: row.id, userId: row.userId, kind: row.kind, expiresAt: row.expiresAt?.getTime() ?? null } };
}
