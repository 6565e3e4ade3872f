import type { IncomingHttpHeaders } from 'node:http';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { authError, type RequestAuthenticator } from './authenticate.js';
import { getOwner } from './users.js';

/**
 * Whether a request may read a service's /metrics, else throws its AppError: the service
 * token alone (a scraper on the box), the service token for the owner (the owner through
 * the edge), or the owner's CLI token. API keys are for agents and other users are not
 * operators of the box: both `forbidden`. Counted against the caller's rate limit like
 * any request.
 */
export function authorizeScrape(authenticator: RequestAuthenticator, db: Db, headers: IncomingHttpHeaders, target: string): void {
  if (headers['x-rdv-service-token'] !== undefined && headers['x-rdv-user-id'] === undefined) {
    const service = authenticator.authenticate(headers, { require: 'service', target });
    if (!service.ok) throw authError(service);
    return;
  }
  const caller = authenticator.authenticate(headers, { target });
  if (!caller.ok) throw authError(caller);
  if (caller.method === 'api_key') throw new AppError('forbidden', 'metrics need the service token or a CLI token, not an API key');
  if (caller.user.id !== getOwner(db)?.id) throw new AppError('forbidden', 'metrics are for the owner of this rdv');
}
