import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeSecretFile } from '@rdv/core/auth';
import { IdSchema } from '@rdv/core/schemas';

/** Name of the local-mode session cookie. */
export const SESSION_COOKIE = 'rdv_session';
/** How long a browser stays signed in after using a login link. */
export const SESSION_MAX_AGE_S = 30 * 24 * 3600;

/**
 * Reads the 256-bit HMAC key at `path` (RDV_HOME/server/web-secret), creating it (0600)
 * when missing or unusable. Deleting the file and restarting signs every browser out.
 */
export function openWebSecret(path: string): Buffer {
  try {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
    if (key.length >= 32) return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(32);
  writeSecretFile(path, `${key.toString('base64url')}\n`);
  return key;
}

export interface CookieSigner {
  /** A signed cookie value naming the user, valid for SESSION_MAX_AGE_S from `nowMs`. */
  sign(userId: string, nowMs?: number): string;
  /** The user id of a valid, unexpired value; null for anything else. */
  verify(value: string | undefined, nowMs?: number): string | null;
}

/** HMAC-SHA256 signed session values: "v1.<userId>.<expiresAtSeconds>.<signature>". */
export function createCookieSigner(key: Buffer): CookieSigner {
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest();
  return {
    sign(userId, nowMs = Date.now()) {
      const payload = `v1.${userId}.${Math.floor(nowMs / 1000) + SESSION_MAX_AGE_S}`;
      return `${payload}.${mac(payload).toString('base64url')}`;
    },
    verify(value, nowMs = Date.now()) {
      if (!value || value.length > 512) return null;
      const parts = value.split('.');
      if (parts.length !== 4 || parts[0] !== 'v1') return null;
      const [, userId, expText, sigText] = parts as [string, string, string, string];
      const sig = Buffer.from(sigText, 'base64url');
      const expected = mac(`v1.${userId}.${expText}`);
      if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) return null;
      if (!/^\d+$/.test(expText) || Number(expText) * 1000 <= nowMs) return null;
      return IdSchema.safeParse(userId).success ? userId : null;
    },
  };
}

/** Parses a Cookie header into name → value (first occurrence wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!name || out.has(name)) continue;
    try {
      out.set(name, decodeURIComponent(value));
    } catch {
      // A malformed escape: keep the raw value; it will simply fail verification.
      out.set(name, value);
    }
  }
  return out;
}

/** Set-Cookie for the session: HttpOnly, SameSite=Strict, Path=/, Secure behind Cloudflare (https). */
export function sessionCookieHeader(value: string, options: { secure: boolean; maxAgeS?: number }): string {
  const maxAge = options.maxAgeS ?? SESSION_MAX_AGE_S;
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAge}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}
