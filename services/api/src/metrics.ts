// The api's Prometheus families, on top of core's per-service registry (process, event
// loop, HTTP durations).
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { count, eq } from 'drizzle-orm';
import { schema, type Db } from '@rdv/core/db';
import { createCounter, createHistogram, createServiceMetrics, type ServiceMetrics } from '@rdv/core/metrics';
import type { OrchestratorService } from '@rdv/core/orchestrator';
import { SESSION_STATES } from '@rdv/core/schemas';
import type { Counter, Histogram } from 'prom-client';
import type { RouteDef } from './route.js';

const SESSION_STATUSES = ['active', 'suspended', 'closed', 'trashed'] as const;

export interface ApiMetrics {
  service: ServiceMetrics;
  /** How long each monitoring scan took; fed by the orchestrator's monitor. */
  monitorScan: Histogram;
  /** Notifications delivered, by channel and outcome; handed to core's notifier. */
  notificationsSent: Counter<'channel' | 'outcome'>;
}

/** The registry and the families fed from outside the app (made before the orchestrator). */
export function createApiMetrics(): ApiMetrics {
  const service = createServiceMetrics('api');
  return {
    service,
    monitorScan: createHistogram(service, 'rdv_monitor_scan_seconds', 'How long one monitoring scan of the watched sessions took', [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5]),
    notificationsSent: createCounter(service, 'rdv_notifications_sent_total', 'Notifications delivered, by channel and outcome', ['channel', 'outcome']),
  };
}

const zeros = (keys: readonly string[]): Record<string, number> => Object.fromEntries(keys.map((k) => [k, 0]));

/** The families read at scrape time: event streams, sessions by status and agent state, open insights by type. */
export function registerApiGauges(metrics: ServiceMetrics, deps: { db: Db; sseClients: () => number; orchestrator: Pick<OrchestratorService, 'monitor'> }): void {
  const { db } = deps;
  metrics.gauge('rdv_sse_connections', 'Open event streams (/api/events)', deps.sseClients);
  metrics.gauge(
    'rdv_sessions',
    'Sessions by status',
    () => {
      const out = zeros(SESSION_STATUSES);
      const rows = db.select({ status: schema.sessions.status, n: count() }).from(schema.sessions).groupBy(schema.sessions.status).all();
      for (const r of rows) out[r.status] = r.n;
      return out;
    },
    'status',
  );
  metrics.gauge(
    'rdv_agent_sessions',
    'Watched agent sessions by the state monitoring sees',
    () => {
      const out = zeros(SESSION_STATES);
      for (const s of deps.orchestrator.monitor.sessions()) out[s.state] = (out[s.state] ?? 0) + 1;
      return out;
    },
    'state',
  );
  metrics.gauge(
    'rdv_insights_open',
    'Unresolved insights by type',
    () => {
      const rows = db.select({ type: schema.insights.type, n: count() }).from(schema.insights).where(eq(schema.insights.resolved, false)).groupBy(schema.insights.type).all();
      return Object.fromEntries(rows.map((r) => [r.type, r.n]));
    },
    'type',
  );
}

/** Marks a request with its route's pattern, for the duration histogram. */
export const routeLabel =
  (def: RouteDef): RequestHandler =>
  (_req: Request, res: Response, next: NextFunction) => {
    res.locals.route = def.path;
    next();
  };

/**
 * Times every request into `rdv_http_request_duration_seconds`. Event streams are left
 * out: they last as long as a browser stays, which says nothing about latency (they are
 * counted by `rdv_sse_connections`). Requests no route took are `unmatched`.
 */
export function requestTimer(metrics: ServiceMetrics): RequestHandler {
  return (req, res, next) => {
    const startedAt = performance.now();
    res.once('close', () => {
      if (String(res.getHeader('content-type') ?? '').startsWith('text/event-stream')) return;
      const route = typeof res.locals.route === 'string' ? res.locals.route : 'unmatched';
      metrics.observeRequest(req.method, route, res.statusCode, (performance.now() - startedAt) / 1000);
    });
    next();
  };
}
