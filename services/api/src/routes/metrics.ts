import { authorizeScrape, createRequestAuthenticator } from '@rdv/core/auth';
import { defineRoute, type RouteDef } from '../route.js';
import type { RouteDeps } from './table.js';

/** GET /metrics: Prometheus text for the service token, or the owner's CLI token (directly or through the edge). */
export function metricsRoutes(deps: RouteDeps): RouteDef[] {
  // Its own authenticator: the route table's user-or-service choice cannot say "service or owner".
  const authenticator = createRequestAuthenticator({ db: deps.db.db, serviceToken: deps.serviceToken, log: deps.log, service: 'api', limits: deps.limits });
  return [
    defineRoute({
      method: 'get',
      path: '/metrics',
      tag: 'system',
      summary: 'Prometheus metrics (text format); the service token, or the owner\'s CLI token',
      auth: 'none',
      raw: true,
      handler: async ({ req, res }) => {
        authorizeScrape(authenticator, deps.db.db, req.headers, 'GET /metrics');
        const text = await deps.metrics.service.render();
        res.status(200).set('content-type', deps.metrics.service.contentType).set('cache-control', 'no-store').send(text);
      },
    }),
  ];
}
