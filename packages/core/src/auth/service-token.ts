import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensurePrivateDir } from '../lifecycle/index.js';
import { edgeCredential } from './edge-credential.js';
import { safeEqual } from './tokens.js';

interface StoredToken {
  id: string;
  token: string;
  createdAt: number;
}

interface PreviousToken extends StoredToken {
  validUntil: number;
}

/** Writes a file atomically with mode 0600 (temp file + rename). */
export function writeSecretFile(path: string, content: string): void {
  ensurePrivateDir(dirname(path));
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, path);
}

export interface ServiceTokenStore {
  /** The current token (read from disk; created if missing when `create` is set). */
  current(): string;
  /** The id of the current token, safe to log. */
  currentId(): string;
  /** Constant-time check against the current token and, within its grace period, the previous one. */
  verify(candidate: string, at?: number): boolean;
  /** The edge-only credential derived from the current token (see edgeCredential). */
  edgeCredential(): string;
  /** Constant-time check of an edge-only credential, derived from the current or (in its grace period) the previous token. */
  verifyEdge(candidate: string, at?: number): boolean;
  /** Replaces the token; the old one stays valid for the grace period. Returns the new token's id. */
  rotate(at?: number): string;
  /** Age of the current token in ms. */
  ageMs(at?: number): number;
}

/**
 * The service token shared by the web edge, api and terminal: 256 bits of randomness in
 * `server/service-token` (0600, the token alone on one line, so the edge can read it),
 * its metadata in `service-token.json`, and the previous token in
 * `service-token.previous.json` until its grace period ends. Files are re-read when
 * they change, so every process sees a rotation.
 */
export function openServiceTokenStore(path: string, options: { create: boolean; graceMs: number }): ServiceTokenStore {
  const metaPath = `${path}.json`;
  const prevPath = join(dirname(path), 'service-token.previous.json');
  let cache: { mtimeMs: number; size: number; current: StoredToken; previous: PreviousToken | null } | null = null;

  const writeNew = (at: number): StoredToken => {
    const stored = { id: randomUUID(), token: randomBytes(32).toString('base64url'), createdAt: at };
    writeSecretFile(metaPath, JSON.stringify({ id: stored.id, createdAt: stored.createdAt }));
    writeSecretFile(path, `${stored.token}\n`);
    return stored;
  };

  const load = () => {
    let st;
    try {
      st = statSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !options.create) throw err;
      writeNew(Date.now());
      st = statSync(path);
    }
    if (cache && cache.mtimeMs === st.mtimeMs && cache.size === st.size) return cache;
    const token = readFileSync(path, 'utf8').trim();
    let meta = { id: 'unknown', createdAt: st.mtimeMs };
    try {
      meta = JSON.parse(readFileSync(metaPath, 'utf8')) as typeof meta;
    } catch {
      // Metadata is optional: a hand-written token file still works, its age taken from mtime.
    }
    let previous: PreviousToken | null = null;
    try {
      previous = JSON.parse(readFileSync(prevPath, 'utf8')) as PreviousToken;
    } catch {
      // No previous token: nothing is in its grace period.
    }
    cache = { mtimeMs: st.mtimeMs, size: st.size, current: { id: meta.id, token, createdAt: meta.createdAt }, previous };
    return cache;
  };

  return {
    current: () => load().current.token,
    currentId: () => load().current.id,
    verify(candidate, at = Date.now()) {
      if (!candidate) return false;
      const { current, previous } = load();
      const okCurrent = safeEqual(candidate, current.token);
      const okPrevious = previous ? safeEqual(candidate, previous.token) && at < previous.validUntil : false;
      return okCurrent || okPrevious;
    },
    edgeCredential: () => edgeCredential(load().current.token),
    verifyEdge(candidate, at = Date.now()) {
      if (!candidate) return false;
      const { current, previous } = load();
      const okCurrent = safeEqual(candidate, edgeCredential(current.token));
      const okPrevious = previous ? safeEqual(candidate, edgeCredential(previous.token)) && at < previous.validUntil : false;
      return okCurrent || okPrevious;
    },
    rotate(at = Date.now()) {
      const { current } = load();
      writeSecretFile(prevPath, JSON.stringify({ ...current, validUntil: at + options.graceMs }));
      const next = writeNew(at);
      cache = null;
      if (options.graceMs === 0) rmSync(prevPath, { force: true });
      return next.id;
    },
    ageMs: (at = Date.now()) => at - load().current.createdAt,
  };
}
