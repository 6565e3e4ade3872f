import type { RdvClient } from '@rdv/client';
import { isAppError } from '@rdv/core/errors';
import type { User } from '@rdv/core/schemas';

/**
 * The edge's own calls to the api, as opposed to proxied browser requests: all under
 * /internal/edge/ (never forwarded for a browser), made with a client that carries the
 * edge-only credential. Errors are the client's AppErrors.
 */
export interface EdgeApi {
  /** The user for a verified Cloudflare email (created if new and admitted), or the owner. */
  resolveUser(who: { email: string } | { owner: true }): Promise<User>;
  /** Uses up a login code; null when it is invalid, used or expired. */
  redeemLoginLink(code: string): Promise<User | null>;
  /** A fresh one-time login code for the user. */
  createLoginLink(userId: string): Promise<{ code: string; expiresAt: string }>;
  /** Starts a browser sign-in; `secret` is the cookie's value. */
  createLoginSession(userId: string, userAgent: string | undefined): Promise<{ id: string; secret: string; expiresAt: string }>;
  /** The sign-in a cookie stands for; null when it is unknown, revoked, idle or expired. */
  checkLoginSession(secret: string): Promise<{ sessionId: string; userId: string } | null>;
  /** Signs out the browser holding the cookie; its sign-in id, or null when there was none. */
  endLoginSession(secret: string): Promise<string | null>;
  /** Of these sign-in ids, the ones still active. */
  activeLoginSessions(ids: string[]): Promise<string[]>;
  /** Writes failed sign-ins to the audit log (`dropped`: how many more there were). */
  auditFailures(failures: Array<{ at: string; source: string; reason: string; target: string; throttled: boolean }>, dropped: number): Promise<void>;
}

/** A 401 from a check is its answer ("no"), not a failure of the call. */
const orNullOn401 = async <T>(call: Promise<T>): Promise<T | null> => {
  try {
    return await call;
  } catch (err) {
    if (isAppError(err) && err.code === 'unauthorized') return null;
    throw err;
  }
};

/** The edge's calls over `api`, a client whose headers carry the edge-only credential. */
export function createEdgeCalls(api: RdvClient): EdgeApi {
  return {
    resolveUser: (who) => api.POST('/internal/edge/resolve-user', { body: who }),
    redeemLoginLink: (code) => orNullOn401(api.POST('/internal/edge/login-links/redeem', { body: { code } })),
    createLoginLink: (userId) => api.POST('/internal/edge/login-links', { body: { userId } }),
    createLoginSession: (userId, userAgent) =>
      api.POST('/internal/edge/sessions', { body: { userId, ...(userAgent ? { userAgent: userAgent.slice(0, 1000) } : {}) } }),
    checkLoginSession: (secret) => orNullOn401(api.POST('/internal/edge/sessions/check', { body: { secret } })),
    endLoginSession: async (secret) => (await api.POST('/internal/edge/sessions/end', { body: { secret } })).sessionId,
    activeLoginSessions: async (ids) => (await api.POST('/internal/edge/sessions/active', { body: { ids } })).ids,
    auditFailures: async (failures, dropped) => void (await api.POST('/internal/edge/audit', { body: { failures, dropped } })),
  };
}
