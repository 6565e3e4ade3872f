import { EDGE_CREDENTIAL_HEADER, EDGE_ROUTE_PREFIX, edgeCredential } from '@rdv/core/auth';
import { socketRequest } from '@rdv/core/client';
import { AppError } from '@rdv/core/errors';
import { IdSchema, UserSchema, type User } from '@rdv/core/schemas';
import { z } from 'zod';

const LoginLinkSchema = z.object({ code: z.string().min(1), expiresAt: z.string() });
const LoginSessionSchema = z.object({ id: IdSchema, secret: z.string().min(1), expiresAt: z.string() });
const SessionCheckSchema = z.object({ sessionId: IdSchema, userId: IdSchema });

/**
 * The edge's own calls to the api, as opposed to proxied browser requests: under
 * EDGE_ROUTE_PREFIX (never forwarded for a browser) with the edge-only credential.
 */
export interface EdgeApi {
  /** The user for a verified Cloudflare email (created if new), or the owner. */
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

/**
 * Calls over api.sock. `serviceToken` is read on every call so a rotation is picked up.
 * Errors: AppError('unavailable') when the api does not answer; the api's code otherwise.
 */
export function createEdgeApi(options: { socketPath: string; serviceToken: () => string }): EdgeApi {
  const call = async <T extends z.ZodType>(path: string, body: unknown, schema: T): Promise<z.output<T> | null> => {
    let res;
    try {
      const headers = { [EDGE_CREDENTIAL_HEADER]: edgeCredential(options.serviceToken()) };
      res = await socketRequest(options.socketPath, `${EDGE_ROUTE_PREFIX}${path}`, { method: 'POST', body, headers, timeoutMs: 10_000 });
    } catch (err) {
      throw new AppError('unavailable', 'the rdv api is not running or not answering', { cause: err });
    }
    if (res.status === 401 && (path.endsWith('/redeem') || path.endsWith('/sessions/check'))) return null;
    if (res.status < 200 || res.status >= 300) {
      const e = (res.body as { error?: { message?: string } } | undefined)?.error;
      const code = res.status === 401 ? 'unauthorized' : res.status === 403 ? 'forbidden' : 'unavailable';
      throw new AppError(code, `api answered ${res.status}: ${e?.message ?? 'no message'}`);
    }
    const parsed = schema.safeParse(res.body);
    if (!parsed.success) throw new AppError('internal', `unexpected answer from the api for ${path}`);
    return parsed.data;
  };
  return {
    async resolveUser(who) {
      return (await call('/resolve-user', who, UserSchema))!;
    },
    redeemLoginLink: (code) => call('/login-links/redeem', { code }, UserSchema),
    async createLoginLink(userId) {
      return (await call('/login-links', { userId }, LoginLinkSchema))!;
    },
    async createLoginSession(userId, userAgent) {
      return (await call('/sessions', { userId, ...(userAgent ? { userAgent: userAgent.slice(0, 1000) } : {}) }, LoginSessionSchema))!;
    },
    checkLoginSession: (secret) => call('/sessions/check', { secret }, SessionCheckSchema),
    async endLoginSession(secret) {
      return (await call('/sessions/end', { secret }, z.object({ sessionId: IdSchema.nullable() })))!.sessionId;
    },
    async auditFailures(failures, dropped) {
      await call('/audit', { failures, dropped }, z.object({ written: z.number() }));
    },
    async activeLoginSessions(ids) {
      return (await call('/sessions/active', { ids }, z.object({ ids: z.array(IdSchema) })))!.ids;
    },
  };
}
