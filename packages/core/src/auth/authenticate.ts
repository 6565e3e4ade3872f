import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { IdSchema, type AuthMethod, type User } from '../schemas/index.js';
import { writeAudit, type AuditInput } from './audit.js';
import { failureSource } from './failure-source.js';
import { createRateLimiter } from './rate-limit.js';
import type { ServiceTokenStore } from './service-token.js';
import { verifyHookToken } from './hook-tokens.js';
import { hashToken, tokenRevocations, verifyToken } from './tokens.js';
import { getUser } from './users.js';

/** How long a verified bearer token is remembered, and how many are. */
const VERIFIED_FOR_MS = 1000;
const VERIFIED_MAX = 10_000;

const SUCCESS_AUDIT_EVERY_MS = 60_000;
const MISSING_CREDENTIALS = 'missing credentials: send "Authorization: Bearer <token>" (the owner\'s is in RDV_HOME/cli-token)';

/** A caller who is a user: through the web edge (service token + X-RDV-User-ID), a CLI token or an API key. */
export interface UserCaller {
  ok: true;
  user: User;
  method: AuthMethod;
  /** Safe to log: the id of the token, never its value. */
  tokenId: string | null;
}

/** The web edge (or another rdv service) on its own: the service token and no user. */
export interface ServiceCaller {
  ok: true;
  user: null;
  method: 'service';
  tokenId: string | null;
}

/** Why a request was refused; `retryAfterMs` when it may try again later. */
export interface AuthRefusal {
  ok: false;
  code: 'unauthorized' | 'rate_limited';
  message: string;
  retryAfterMs?: number;
}

export interface AuthenticateOptions {
  /** `user` (default): a user must be named; `service`: the service token alone. */
  require?: 'user' | 'service';
  /** What is being reached, for the audit row of a refusal ("GET /api/sessions"). */
  target: string;
  /** Counts against the sensitive limit as well as the general one. */
  sensitive?: boolean;
}

export interface RequestAuthDeps {
  db: Db;
  serviceToken: Pick<ServiceTokenStore, 'verify' | 'currentId'>;
  log: Logger;
  /** Which service checks ("api", "terminal"), recorded with refusals. */
  service: string;
  limits: { requestsPerMinute: number; sensitivePerMinute?: number; authFailuresPerMinute: number };
}

export interface RequestAuthenticator {
  /**
   * Who is asking. The service token wins over `Authorization: Bearer`; with it,
   * `X-RDV-User-ID` names the user unless `require` is `service`. Refusals are
   * audited (without a user) and counted per source: past `authFailuresPerMinute` that
   * source waits (`rate_limited`), still audited. A caller past its own request limit is `rate_limited` too.
   * Successes are audited once a minute per caller. Never throws.
   */
  authenticate(headers: IncomingHttpHeaders, options: AuthenticateOptions & { require?: 'user' }): UserCaller | AuthRefusal;
  authenticate(headers: IncomingHttpHeaders, options: AuthenticateOptions & { require: 'service' }): ServiceCaller | AuthRefusal;
  authenticate(headers: IncomingHttpHeaders, options: AuthenticateOptions): UserCaller | ServiceCaller | AuthRefusal;
  /**
   * A session's hook (`rdv hook`): `Authorization: Bearer <RDV_HOOK_TOKEN>` must be the hook
   * credential of exactly `sessionId`, which must be open. Anything else — another session's
   * credential, a CLI token, the service token — is refused like any failed authentication.
   */
  authenticateHook(headers: IncomingHttpHeaders, sessionId: string, target: string): HookCaller | AuthRefusal;
  /** Appends an audit row, best effort: a busy database is logged, never thrown. */
  audit(entry: AuditInput): void;
  /** Refuses a request checked elsewhere (the edge-only credential): counted and audited like any failure. */
  refuse(headers: IncomingHttpHeaders, target: string, reason: string): AuthRefusal;
}

/** A session's own hook, allowed to post that session's agent events and nothing else. */
export interface HookCaller {
  ok: true;
  userId: string;
  sessionId: string;
}

/** The AppError a refusal becomes (401 or 429 with Retry-After). */
export function authError(refusal: AuthRefusal): AppError {
  return new AppError(refusal.code, refusal.message, refusal.retryAfterMs ? { retryAfterMs: refusal.retryAfterMs } : undefined);
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * The one request authenticator of rdv's services (api requests, terminal upgrades).
 * It keeps its own rate limiters, so make one per service and keep it.
 */
export function createRequestAuthenticator(deps: RequestAuthDeps): RequestAuthenticator {
  const { db, log, service } = deps;
  const general = createRateLimiter({ perMinute: deps.limits.requestsPerMinute });
  const sensitive = createRateLimiter({ perMinute: deps.limits.sensitivePerMinute ?? deps.limits.requestsPerMinute });
  const failures = createRateLimiter({ perMinute: deps.limits.authFailuresPerMinute });
  const lastAudited = new Map<string, number>();
  // A bearer token verified a moment ago is taken at its word for VERIFIED_FOR_MS (two database
  // reads per request were a third of what the api spent on a cheap one); a revocation in this
  // process forgets them all at once, one in another process is seen within that time.
  const verified = new Map<string, { caller: UserCaller; until: number; revocations: number; expiresAt: number | null }>();

  const audit = (entry: AuditInput) => {
    try {
      writeAudit(db, entry);
    } catch (err) {
      // Best effort: a busy or unmigrated database must not turn a 401 into a 500.
      log.warn({ err, action: entry.action }, 'could not write an audit row');
    }
  };

  // Failures are limited per source (the credential presented: the sockets have no peer
  // address) and every one is audited, throttled or not.
  const refuse = (headers: IncomingHttpHeaders, target: string, reason: string, detail: Record<string, unknown> = {}): AuthRefusal => {
    const source = failureSource(headers);
    const wait = failures.take(source);
    audit({ action: 'auth', outcome: 'denied', target, detail: { reason, service, source, throttled: wait > 0, ...detail } });
    if (wait > 0) return { ok: false, code: 'rate_limited', message: 'too many failed authentication attempts; try again later', retryAfterMs: wait };
    log.info({ target, reason }, 'authentication refused');
    return { ok: false, code: 'unauthorized', message: reason };
  };

  const serviceTokenValid = (candidate: string): boolean => {
    try {
      return deps.serviceToken.verify(candidate);
    } catch (err) {
      // No service-token file yet (the api creates it): nothing can match.
      log.warn({ err: (err as Error).message }, 'service token unreadable');
      return false;
    }
  };

  const serviceTokenId = (): string | null => {
    try {
      return deps.serviceToken.currentId();
    } catch {
      // Verified a moment ago; an unreadable id only costs the audit row its token id.
      return null;
    }
  };

  /** The caller's identity, before any rate limit. */
  const identify = (headers: IncomingHttpHeaders, options: AuthenticateOptions): UserCaller | ServiceCaller | AuthRefusal => {
    const { target } = options;
    const serviceToken = header(headers, 'x-rdv-service-token');
    const authorization = header(headers, 'authorization');
    if (serviceToken !== undefined) {
      if (!serviceTokenValid(serviceToken)) return refuse(headers, target, 'invalid service token');
      if (options.require === 'service') return { ok: true, user: null, method: 'service', tokenId: serviceTokenId() };
      const userId = header(headers, 'x-rdv-user-id') ?? '';
      if (!IdSchema.safeParse(userId).success) return refuse(headers, target, 'X-RDV-User-ID must name a user (a UUID)');
      const user = getUser(db, userId);
      if (!user) return refuse(headers, target, 'unknown user in X-RDV-User-ID');
      return { ok: true, user, method: 'service', tokenId: serviceTokenId() };
    }
    if (authorization === undefined) return refuse(headers, target, MISSING_CREDENTIALS);
    if (options.require === 'service') return refuse(headers, target, 'this route needs the service token');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) return refuse(headers, target, 'Authorization must be "Bearer <token>"');
    const digest = hashToken(match[1]!);
    const now = Date.now();
    const known = verified.get(digest);
    if (known && known.until > now && known.revocations === tokenRevocations() && (known.expiresAt === null || known.expiresAt > now)) return known.caller;
    const result = verifyToken(db, match[1]!);
    if (!result.ok) {
      const why = { unknown: 'invalid token', revoked: 'this token was revoked', expired: 'this token has expired' }[result.reason];
      return refuse(headers, target, why, result.tokenId ? { tokenId: result.tokenId } : {});
    }
    const user = getUser(db, result.token.userId);
    if (!user) return refuse(headers, target, 'the token belongs to no user');
    const caller: UserCaller = { ok: true, user, method: result.token.kind, tokenId: result.token.tokenId };
    if (verified.size >= VERIFIED_MAX) verified.clear();
    verified.set(digest, { caller, until: now + VERIFIED_FOR_MS, revocations: tokenRevocations(), expiresAt: result.token.expiresAt });
    return caller;
  };

  const auditSuccess = (key: string, caller: UserCaller) => {
    const at = Date.now();
    if ((lastAudited.get(key) ?? 0) + SUCCESS_AUDIT_EVERY_MS > at) return;
    if (lastAudited.size > 10_000) lastAudited.clear();
    lastAudited.set(key, at);
    audit({ action: 'auth', outcome: 'ok', userId: caller.user.id, tokenId: caller.tokenId, authMethod: caller.method });
  };

  const authenticate = (headers: IncomingHttpHeaders, options: AuthenticateOptions): UserCaller | ServiceCaller | AuthRefusal => {
    const caller = identify(headers, options);
    if (!caller.ok) return caller;
    // Behind the edge every user shares the service token, so its callers are limited per user; tokens per token.
    let key = 'service';
    if (caller.user) {
      key = caller.method === 'service' ? `service:${caller.user.id}` : `token:${caller.tokenId}`;
      auditSuccess(key, caller);
    }
    const wait = general.take(key) || (options.sensitive ? sensitive.take(key) : 0);
    if (wait > 0) return { ok: false, code: 'rate_limited', message: 'rate limit reached; slow down and retry', retryAfterMs: wait };
    return caller;
  };

  const authenticateHook = (headers: IncomingHttpHeaders, sessionId: string, target: string): HookCaller | AuthRefusal => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header(headers, 'authorization') ?? '');
    if (!match) return refuse(headers, target, 'this route takes the session\'s hook credential (RDV_HOOK_TOKEN) as a bearer token');
    const check = IdSchema.safeParse(sessionId).success ? verifyHookToken(db, sessionId, match[1]!) : { ok: false as const };
    if (!check.ok) return refuse(headers, target, 'not this session\'s hook credential', { sessionId });
    if (check.status !== 'active' && check.status !== 'suspended') return refuse(headers, target, 'the session has ended', { sessionId });
    const wait = general.take(`hook:${sessionId}`);
    if (wait > 0) return { ok: false, code: 'rate_limited', message: 'rate limit reached; slow down and retry', retryAfterMs: wait };
    return { ok: true, userId: check.userId, sessionId };
  };

  return { authenticate: authenticate as RequestAuthenticator['authenticate'], authenticateHook, audit, refuse };
}
