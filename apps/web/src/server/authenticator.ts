import type { IncomingHttpHeaders } from 'node:http';
import { isAppError } from '@rdv/core/errors';
import type { AccessVerifier } from './cloudflare.js';
import type { EdgeApi } from './edge-calls.js';
import { SESSION_COOKIE, parseCookies } from './session-cookie.js';

/** What a request's sign-in rests on; connections it opens close when it ends. */
export type LiveCredential =
  | { kind: 'login_session'; id: string }
  | { kind: 'access'; token: string; expiresAtMs: number };

export type AuthOutcome =
  | { ok: true; userId: string; email: string | null; credential?: LiveCredential }
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
 * `api` makes the edge's own calls (edge-calls.ts).
 */
export function createCloudflareAuthenticator(verifier: AccessVerifier, api: Pick<EdgeApi, 'resolveUser'>): Authenticator {
  const users = new Map<string, { id: string; until: number }>();
  return {
    mode: 'cloudflare',
    async authenticate(headers) {
      const header = headers['cf-access-jwt-assertion'];
      const token = (Array.isArray(header) ? header[0] : header) || parseCookies(headers.cookie).get('CF_Authorization');
      const verdict = await verifier.verify(token);
      if (!verdict.ok) return verdict;
      const now = Date.now();
      const credential: LiveCredential = { kind: 'access', token: token!, expiresAtMs: verdict.expiresAtMs };
      const cached = users.get(verdict.email);
      if (cached && cached.until > now) return { ok: true, userId: cached.id, email: verdict.email, credential };
      try {
        const user = await api.resolveUser({ email: verdict.email });
        if (users.size >= USER_CACHE_MAX) users.clear();
        users.set(verdict.email, { id: user.id, until: now + USER_CACHE_MS });
        return { ok: true, userId: user.id, email: verdict.email, credential };
      } catch (err) {
        if (isAppError(err) && err.code === 'forbidden') return { ok: false, status: 403, reason: `${verdict.email} is not admitted to this rdv` };
        return { ok: false, status: 503, reason: isAppError(err) ? err.message : 'could not resolve the user' };
      }
    },
  };
}

const NOT_SIGNED_IN = 'not signed in: open the login link printed by rdv (or run "rdv login-link")';

/**
 * Local mode: the session cookie set by /login?code=… is a sign-in kept by the api, which
 * checks it on every request (revoked, idle past the limit, or expired: not signed in).
 */
export function createLocalAuthenticator(api: Pick<EdgeApi, 'checkLoginSession'>): Authenticator {
  return {
    mode: 'local',
    async authenticate(headers) {
      const secret = parseCookies(headers.cookie).get(SESSION_COOKIE);
      if (!secret || secret.length > 512) return { ok: false, status: 401, reason: NOT_SIGNED_IN };
      let session;
      try {
        session = await api.checkLoginSession(secret);
      } catch (err) {
        return { ok: false, status: 503, reason: isAppError(err) ? err.message : 'could not check the sign-in' };
      }
      if (!session) return { ok: false, status: 401, reason: `${NOT_SIGNED_IN}; this sign-in has ended` };
      return { ok: true, userId: session.userId, email: null, credential: { kind: 'login_session', id: session.sessionId } };
    },
  };
}
