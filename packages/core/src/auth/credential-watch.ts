import { inArray } from 'drizzle-orm';
import { schema, type Db } from '../db/index.js';
import type { AuthMethod } from '../schemas/index.js';

/** Who opened a long-lived connection (an event stream, a terminal), and with what. */
export interface WatchedAuth {
  userId: string;
  method: AuthMethod;
  /** The CLI token's or API key's id; for the service token, which one (never checked here). */
  tokenId: string | null;
}

export interface CredentialWatch {
  /** Registers an open connection and how to close it; returns its removal (idempotent). */
  add(auth: WatchedAuth, close: (reason: string) => void): () => void;
  /** Open connections of a user (for per-user caps). */
  count(userId: string): number;
  /** Closes at once whatever this token opened (it was just revoked in this process). */
  tokenRevoked(tokenId: string): void;
  /** Checks every watched token now: revoked, expired or gone closes its connections. */
  check(): void;
  dispose(): void;
}

interface Entry {
  auth: WatchedAuth;
  close(reason: string): void;
}

/**
 * Ties long-lived connections to the credential that opened them: a CLI token or API key
 * revoked (by any process: the database is asked every `checkEveryMs`, 1 s by default),
 * expired or deleted closes what it opened. Connections of the web edge (service token)
 * are the edge's to close: it knows the browser's own credential.
 */
export function createCredentialWatch(options: { db: Db; checkEveryMs?: number; onError?: (err: unknown) => void }): CredentialWatch {
  const entries = new Set<Entry>();
  const closeWhere = (match: (e: Entry) => boolean, reason: string) => {
    for (const e of [...entries]) {
      if (!match(e)) continue;
      entries.delete(e);
      e.close(reason);
    }
  };
  const check = () => {
    const ids = [...new Set([...entries].flatMap((e) => (e.auth.method !== 'service' && e.auth.tokenId ? [e.auth.tokenId] : [])))];
    if (!ids.length) return;
    const now = Date.now();
    const rows = options.db
      .select({ id: schema.tokens.id, userId: schema.tokens.userId, revokedAt: schema.tokens.revokedAt, expiresAt: schema.tokens.expiresAt })
      .from(schema.tokens)
      .where(inArray(schema.tokens.id, ids))
      .all();
    const valid = new Map(rows.filter((r) => !r.revokedAt && !(r.expiresAt && r.expiresAt.getTime() <= now)).map((r) => [r.id, r.userId]));
    closeWhere(
      (e) => e.auth.method !== 'service' && e.auth.tokenId !== null && valid.get(e.auth.tokenId) !== e.auth.userId,
      'the credential this connection was opened with was revoked or has expired',
    );
  };
  const timer = setInterval(() => {
    try {
      check();
    } catch (err) {
      // A busy or closing database: the next tick checks again.
      options.onError?.(err);
    }
  }, options.checkEveryMs ?? 1000);
  timer.unref();
  return {
    add(auth, close) {
      const entry = { auth, close };
      entries.add(entry);
      return () => void entries.delete(entry);
    },
    count: (userId) => [...entries].filter((e) => e.auth.userId === userId).length,
    tokenRevoked: (tokenId) => closeWhere((e) => e.auth.method !== 'service' && e.auth.tokenId === tokenId, 'the credential this connection was opened with was revoked'),
    check,
    dispose() {
      clearInterval(timer);
      entries.clear();
    },
  };
}
