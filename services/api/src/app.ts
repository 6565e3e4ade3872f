import express, { type Express } from 'express';
import { AppError } from '@rdv/core/errors';
import type { AppDeps } from './context.js';
import { createApiMetrics, registerApiGauges, requestTimer, routeLabel, type ApiMetrics } from './metrics.js';
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
  app.use(express.json({ limit: '1mb', strict: true }));

  const sse = createSseRegistry();
  const routeDeps = { ...deps, sse, pending, metrics };
  registerApiGauges(metrics.service, { db: deps.db.db, sseClients: () => sse.open.size, orchestrator: deps.orchestrator });
  const routes: RouteDef[] = ROUTE_TABLE.flatMap((module) => module(routeDeps));
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
  mountRoutes(router, routes, (def) => [routeLabel(def), ...auth(def)]);
  app.use(router);
  app.use((req, _res, next) => next(new AppError('not_found', `no route for ${req.method} ${req.path}`)));
  app.use(errorMiddleware(deps));
  return { app, routes, sse, pending, metrics };
}
