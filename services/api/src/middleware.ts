import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { authError, createRequestAuthenticator } from '@rdv/core/auth';
import { AppError, toAppError } from '@rdv/core/errors';
import type { AppDeps, RequestWithAuth } from './context.js';
import type { RouteDef } from './route.js';

/**
 * Authentication for every route that asks for it (core's request authenticator):
 * the service token + X-RDV-User-ID (the web edge), the service token alone for
 * service routes, or a bearer CLI token / API key; with the per-caller rate limits.
 */
export function createAuth(deps: AppDeps) {
  const authenticator = createRequestAuthenticator({
    db: deps.db.db,
    serviceToken: deps.serviceToken,
    log: deps.log,
    service: 'api',
    limits: deps.limits,
  });
  return (def: RouteDef): RequestHandler[] => {
    const require = def.auth ?? 'user';
    if (require === 'none') return [];
    if (require === 'hook') {
      return [
        (req: Request, _res: Response, next: NextFunction) => {
          const result = authenticator.authenticateHook(req.headers, String(req.params.id ?? ''), `${req.method} ${req.path}`);
          if (!result.ok) throw authError(result);
          (req as RequestWithAuth).hook = { userId: result.userId, sessionId: result.sessionId };
          next();
        },
      ];
    }
    return [
      (req: Request, _res: Response, next: NextFunction) => {
        const result = authenticator.authenticate(req.headers, { require, target: `${req.method} ${req.path}`, sensitive: def.sensitive });
        if (!result.ok) throw authError(result);
        if (result.user) (req as RequestWithAuth).auth = { user: result.user, method: result.method, tokenId: result.tokenId };
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
    if (error.retryAfterMs) res.setHeader('Retry-After', String(Math.ceil(error.retryAfterMs / 1000)));
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(error.status).json(error.toJSON());
  };
}
