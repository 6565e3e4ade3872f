import type { IncomingHttpHeaders } from 'node:http';
import { createRateLimiter, failureSource, getUser, verifyToken, writeAudit, type AuditInput, type ServiceTokenStore } from '@rdv/core/auth';
import type { Db } from '@rdv/core/db';
import { AppError } from '@rdv/core/errors';
import type { Logger } from '@rdv/core/log';
import { IdSchema, type AuthMethod, type User } from '@rdv/core/schemas';

export interface AuthContext {
  user: User;
  method: AuthMethod;
  /** Safe to log: the id of the token, never its value. */
  tokenId: string | null;
}

export interface UpgradeAuthDeps {
  db: Db;
  serviceToken: ServiceTokenStore;
  log: Logger;
  limits: { requestsPerMinute: number; authFailuresPerMinute: number };
}

export interface UpgradeAuth {
  /**
   * Who is asking: the service token + X-RDV-User-ID (the web edge), or a CLI token /
   * API key as `Authorization: Bearer`. Throws AppError unauthorized (bad or missing
   * credentials) or rate_limited (too many failures, or too many attaches for one token).
   */
  authenticate(headers: IncomingHttpHeaders, target: string): AuthContext;
  /** Records a sensitive operation for the audit log; never throws. */
  audit(entry: AuditInput): void;
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export function createUpgradeAuth(deps: UpgradeAuthDeps): UpgradeAuth {
  const { db, log } = deps;
  const failures = createRateLimiter({ perMinute: deps.limits.authFailuresPerMinute });
  const attaches = createRateLimiter({ perMinute: deps.limits.requestsPerMinute });

  const audit = (entry: AuditInput) => {
    try {
      writeAudit(db, entry);
    } catch (err) {
      // The audit row is best effort here: a busy or unmigrated database must not turn a 401 into a 500.
      log.warn({ err, action: entry.action }, 'could not write an audit row');
    }
  };

  // Failures are limited per source (the credential presented) and audited whether or not they are throttled.
  const deny = (headers: IncomingHttpHeaders, target: string, reason: string, detail: Record<string, unknown> = {}): never => {
    const source = failureSource(headers);
    const wait = failures.take(source);
    audit({ action: 'auth', outcome: 'denied', target, detail: { reason, service: 'terminal', source, throttled: wait > 0, ...detail } });
    if (wait > 0) {
      throw Object.assign(new AppError('rate_limited', 'too many failed authentication attempts; try again later'), { retryAfterMs: wait });
    }
    log.info({ target, reason }, 'terminal attach refused');
    throw new AppError('unauthorized', reason);
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

  const authenticate = (headers: IncomingHttpHeaders, target: string): AuthContext => {
    const serviceToken = header(headers, 'x-rdv-service-token');
    const authorization = header(headers, 'authorization');
    let auth: AuthContext;
    if (serviceToken !== undefined) {
      if (!serviceTokenValid(serviceToken)) return deny(headers, target, 'invalid service token');
      const userId = header(headers, 'x-rdv-user-id') ?? '';
      if (!IdSchema.safeParse(userId).success) return deny(headers, target, 'X-RDV-User-ID must name a user (a UUID)');
      const user = getUser(db, userId);
      if (!user) return deny(headers, target, 'unknown user in X-RDV-User-ID');
      let tokenId: string | null = null;
      try {
        tokenId = deps.serviceToken.currentId();
      } catch {
        // Verified a moment ago; an unreadable id only costs the audit row its token id.
      }
      auth = { user, method: 'service', tokenId };
    } else if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match) return deny(headers, target, 'Authorization must be "Bearer <token>"');
      const result = verifyToken(db, match[1]!);
      if (!result.ok) {
        const why = { unknown: 'invalid token', revoked: 'this token was revoked', expired: 'this token has expired' }[result.reason];
        return deny(headers, target, why, result.tokenId ? { tokenId: result.tokenId } : {});
      }
      const user = getUser(db, result.token.userId);
      if (!user) return deny(headers, target, 'the token belongs to no user');
      auth = { user, method: result.token.kind, tokenId: result.token.tokenId };
    } else {
      return deny(headers, target, 'missing credentials: send "Authorization: Bearer <token>" (the owner\'s is in RDV_HOME/cli-token)');
    }
    const wait = attaches.take(auth.tokenId ? `${auth.method}:${auth.tokenId}:${auth.user.id}` : auth.user.id);
    if (wait > 0) throw Object.assign(new AppError('rate_limited', 'too many attaches; slow down and retry'), { retryAfterMs: wait });
    return auth;
  };

  return { authenticate, audit };
}
