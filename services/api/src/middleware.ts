import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { EDGE_CREDENTIAL_HEADER, EDGE_ROUTE_PREFIX, createRateLimiter, failureSource, getUser, verifyToken, writeAudit } from '@rdv/core/auth';
import { AppError, toAppError } from '@rdv/core/errors';
import { IdSchema } from '@rdv/core/schemas';
import type { AppDeps, RequestWithAuth } from './context.js';
import type { RouteDef } from './route.js';

const SUCCESS_AUDIT_EVERY_MS = 60_000;

/**
 * Authentication for every /api route: service token + X-RDV-User-ID (the web edge and
 * terminal), or a bearer CLI token / API key; for the edge's own routes, the edge-only credential. Also applies the per-token rate limits and
 * writes audit rows for auth attempts (failures always, successes once a minute per token).
 */
export function createAuth(deps: AppDeps) {
  const general = createRateLimiter({ perMinute: deps.limits.requestsPerMinute });
  const sensitive = createRateLimiter({ perMinute: deps.limits.sensitivePerMinute });
  const failures = createRateLimiter({ perMinute: deps.limits.authFailuresPerMinute });
  const lastAudited = new Map<string, number>();
  const db = deps.db.db;

  // Failures are limited per source (the credential presented) and audited whether or not they are throttled.
  const deny = (req: Request, reason: string, detail: Record<string, unknown> = {}): never => {
    const source = failureSource(req.headers);
    const wait = failures.take(source);
    writeAudit(db, { action: 'auth', outcome: 'denied', target: `${req.method} ${req.path}`, detail: { reason, source, throttled: wait > 0, ...detail } });
    if (wait > 0) {
      throw Object.assign(new AppError('rate_limited', 'too many failed authentication attempts; try again later'), {
        retryAfterMs: wait,
      });
    }
    throw new AppError('unauthorized', reason);
  };

  const auditSuccess = (key: string, entry: Parameters<typeof writeAudit>[1]) => {
    const at = Date.now();
    if ((lastAudited.get(key) ?? 0) + SUCCESS_AUDIT_EVERY_MS > at) return;
    if (lastAudited.size > 10_000) lastAudited.clear();
    lastAudited.set(key, at);
    writeAudit(db, entry);
  };

  return (def: RouteDef): RequestHandler[] => {
    const mode = def.auth ?? 'user';
    if (mode === 'none') return [];
    if (mode === 'edge') {
      return [
        (req: Request, _res: Response, next: NextFunction) => {
          const credential = req.get(EDGE_CREDENTIAL_HEADER) ?? '';
          if (!req.path.startsWith(`${EDGE_ROUTE_PREFIX}/`) || !deps.serviceToken.verifyEdge(credential)) {
            deny(req, "this route serves only the web edge's own calls");
          }
          next();
        },
      ];
    }
    return [
      (req: Request, res: Response, next: NextFunction) => {
        const serviceToken = req.get('x-rdv-service-token');
        const authorization = req.get('authorization');
        let rateKey: string;
        if (serviceToken !== undefined) {
          if (!deps.serviceToken.verify(serviceToken)) deny(req, 'invalid service token');
          const userId = req.get('x-rdv-user-id') ?? '';
          if (!IdSchema.safeParse(userId).success) deny(req, 'X-RDV-User-ID must name a user (a UUID)');
          const user = getUser(db, userId);
          if (!user) return deny(req, 'unknown user in X-RDV-User-ID');
          const tokenId = deps.serviceToken.currentId();
          (req as RequestWithAuth).auth = { user, method: 'service', tokenId };
          rateKey = `service:${user.id}`;
          auditSuccess(rateKey, { action: 'auth', outcome: 'ok', userId: user.id, tokenId, authMethod: 'service' });
        } else if (authorization !== undefined) {
          const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
          if (!match) return deny(req, 'Authorization must be "Bearer <token>"');
          const result = verifyToken(db, match[1]!);
          if (!result.ok) {
            const why = { unknown: 'invalid token', revoked: 'this token was revoked', expired: 'this token has expired' }[result.reason];
            return deny(req, why, result.tokenId ? { tokenId: result.tokenId } : {});
          }
          const user = getUser(db, result.token.userId);
          if (!user) return deny(req, 'the token belongs to no user');
          (req as RequestWithAuth).auth = { user, method: result.token.kind, tokenId: result.token.tokenId };
          rateKey = `token:${result.token.tokenId}`;
          auditSuccess(rateKey, {
            action: 'auth',
            outcome: 'ok',
            userId: user.id,
            tokenId: result.token.tokenId,
            authMethod: result.token.kind,
          });
        } else {
          return deny(req, 'missing credentials: send "Authorization: Bearer <token>" (the owner\'s is in RDV_HOME/cli-token)');
        }
        const wait = general.take(rateKey) || (def.sensitive ? sensitive.take(rateKey) : 0);
        if (wait > 0) {
          res.setHeader('Retry-After', String(Math.ceil(wait / 1000)));
          throw new AppError('rate_limited', 'rate limit reached; slow down and retry');
        }
        next();
      },
    ];
  };
}

/** The one error middleware: AppError code → status and `{error:{code,message}}`. */
export function errorMiddleware(deps: AppDeps) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let error: AppError;
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed') error = new AppError('invalid_input', 'body: not valid JSON');
    else if (e?.type === 'entity.too.large') error = new AppError('invalid_input', 'body: too large (1 MB at most)');
    else if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') error = new AppError('invalid_input', 'body: unsupported encoding');
    else error = toAppError(err);
    if (error.code === 'internal') deps.log.error({ err, method: req.method, path: req.path }, 'request failed');
    const retry = (err as { retryAfterMs?: number }).retryAfterMs;
    if (retry) res.setHeader('Retry-After', String(Math.ceil(retry / 1000)));
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(error.status).json(error.toJSON());
  };
}
