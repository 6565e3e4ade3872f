import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '@rdv/core/errors';
import { auditAs, type AppDeps, type RequestWithAuth } from './context.js';
import type { RouteDef } from './route.js';

/** What an API key is told when it tries to manage credentials. */
export const API_KEY_REFUSAL =
  'API keys are for agents: they cannot create or revoke credentials or mint login links. Use a CLI token (the owner\'s is in RDV_HOME/cli-token; `rdv token create` makes more).';

/**
 * Runs after authentication on routes that create or revoke credentials (or mint login
 * links): an API key gets 403, so nothing an agent holds can outlive or outrank its key.
 */
export function credentialGuard(deps: Pick<AppDeps, 'db'>) {
  return (def: RouteDef): RequestHandler[] => {
    if (!def.managesCredentials) return [];
    return [
      (req: Request, _res: Response, next: NextFunction) => {
        const auth = (req as RequestWithAuth).auth;
        if (auth?.method === 'api_key') {
          auditAs(deps, auth, 'credentials', `${req.method} ${req.path}`, { reason: 'API keys cannot manage credentials' }, 'denied');
          throw new AppError('forbidden', API_KEY_REFUSAL);
        }
        next();
      },
    ];
  };
}
