import express, { type Express } from 'express';
import { AppError } from '@rdv/core/errors';
import { checkRequestTarget } from '@rdv/core/schemas';
import type { AppDeps } from './context.js';
import { credentialGuard } from './credential-guard.js';
import { createApiMetrics, registerApiGauges, requestTimer, routeLabel, type ApiMetrics } from './metrics.js';
import { hostProxy, reachesHosts } from './host-proxy.js';
import { createAuth, errorMiddleware } from './middleware.js';
import { buildOpenApi } from './openapi.js';
import { defineRoute, mountRoutes, type RouteDef } from './route.js';
import { createSseRegistry, type SseRegistry } from './routes/events.js';
import { ROUTE_TABLE } from './routes/table.js';

export interface ApiApp {
  app: Express;
  routes: RouteDef[];
  sse: SseRegistry;
  /** Requests in flight (for draining and /health). */
  pending(): number;
  metrics: ApiMetrics;
}

/** The Express app with every route; main (or a test) gives it a server to listen on. */
export function createApp(deps: AppDeps): ApiApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const metrics = deps.metrics ?? createApiMetrics();
  app.use(requestTimer(metrics.service));
  let inFlight = 0;
  const pending = () => inFlight;
  app.use((_req, res, next) => {
    inFlight++;
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        inFlight--;
      }
    };
    res.on('finish', finish);
    res.on('close', finish);
    next();
  });
  // Before the body parser and the router: a path is routed only as it was written.
  app.use((req, _res, next) => {
    const target = checkRequestTarget(req.originalUrl);
    next(target.ok ? undefined : new AppError('invalid_input', target.message));
  });
  // A body is JSON or nothing: one in another type would otherwise be read as no body at all.
  app.use((req, _res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    const json = /^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '');
    next(hasBody && !json ? new AppError('invalid_input', 'body: send JSON with Content-Type: application/json') : undefined);
  });
  app.use(express.json({ limit: '1mb', strict: true }));

  const sse = createSseRegistry();
  const routeDeps = { ...deps, sse, pending, metrics };
  registerApiGauges(metrics.service, { db: deps.db.db, sseClients: () => sse.open.size, orchestrator: deps.orchestrator });
  const routes: RouteDef[] = ROUTE_TABLE.flatMap((module) => module(routeDeps));
  for (const def of routes) if (reachesHosts(def)) def.hosts = true;
  const openapi = defineRoute({
    method: 'get',
    path: '/api/openapi.json',
    tag: 'system',
    summary: 'This document',
    auth: 'none',
    handler: () => doc,
  });
  routes.push(openapi);
  const doc = buildOpenApi(routes, deps.version);

  const router = express.Router();
  const auth = createAuth(deps);
  const guard = credentialGuard(deps);
  const proxy = hostProxy(deps);
  mountRoutes(router, routes, (def) => [routeLabel(def), ...auth(def), ...guard(def), ...proxy(def)]);
  app.use(router);
  app.use((req, _res, next) => next(new AppError('not_found', `no route for ${req.method} ${req.path}`)));
  app.use(errorMiddleware(deps));
  return { app, routes, sse, pending, metrics };
}
