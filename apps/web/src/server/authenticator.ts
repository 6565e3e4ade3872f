import type { IncomingHttpHeaders } from 'node:http';
import type { RdvClient } from '@rdv/client';
import { isAppError } from '@rdv/core/errors';
import type { AccessVerifier } from './cloudflare.js';
import { SESSION_COOKIE, parseCookies, type CookieSigner } from './session-cookie.js';

export type AuthOutcome =
  | { ok: true; userId: string; email: string | null }
  | { ok: false; status: 401 | 403 | 503; reason: string };

/** Decides who a browser request is, before anything reaches a service. */
export interface Authenticator {
  readonly mode: 'cloudflare' | 'local';
  authenticate(headers: IncomingHttpHeaders): Promise<AuthOutcome>;
}

const USER_CACHE_MS = 60_000;
const USER_CACHE_MAX = 1000;

/**
 * Cloudflare mode: the verified Access JWT (Cf-Access-Jwt-Assertion, else the
 * CF_Authorization cookie) names an email; the api maps it to a user (cached a minute).
 * `api` calls with the service token.
 */
export function createCloudflareAuthenticator(verifier: AccessVerifier, api: RdvClient): Authenticator {
  const users = new Map<string, { id: string; until: number }>();
  return {
    mode: 'cloudflare',
    async authenticate(headers) {
      const header = headers['cf-access-jwt-assertion'];
      const token = (Array.isArray(header) ? header[0] : header) || parseCookies(headers.cookie).get('CF_Authorization');
      const verdict = await verifier.verify(token);
      if (!verdict.ok) return verdict;
      const now = Date.now();
      const cached = users.get(verdict.email);
      if (cached && cached.until > now) return { ok: true, userId: cached.id, email: verdict.email };
      try {
        const user = await api.POST('/api/auth/resolve-user', { body: { email: verdict.email } });
        if (users.size >= USER_CACHE_MAX) users.clear();
        users.set(verdict.email, { id: user.id, until: now + USER_CACHE_MS });
        return { ok: true, userId: user.id, email: verdict.email };
      } catch (err) {
        return { ok: false, status: 503, reason: isAppError(err) ? err.message : 'could not resolve the user' };
      }
    },
  };
}

/** Local mode: the signed session cookie set by /login?code=… names the user. */
export function createLocalAuthenticator(signer: CookieSigner): Authenticator {
  return {
    mode: 'local',
    async authenticate(headers) {
      const userId = signer.verify(parseCookies(headers.cookie).get(SESSION_COOKIE));
      if (!userId) return { ok: false, status: 401, reason: 'not signed in: open the login link printed by rdv (or run "rdv login-link")' };
      return { ok: true, userId, email: null };
    },
  };
}
