import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type LabelValues } from 'prom-client';

/** Request durations from 1 ms to 30 s: a health probe to a slow git operation. */
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** One service's Prometheus registry: process and event-loop metrics, HTTP request durations. */
export interface ServiceMetrics {
  readonly registry: Registry;
  /** The Content-Type of `render()`'s text. */
  readonly contentType: string;
  /**
   * Records one finished HTTP request. `route` is the route's pattern (`/api/sessions/:id`),
   * never the raw path: ids in label values would make a series per session.
   */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** A gauge read when scraped: `read` returns one value, or a value per label value of `label`. */
  gauge(name: string, help: string, read: () => number): void;
  gauge(name: string, help: string, read: () => Record<string, number>, label: string): void;
  /** The text exposition format of every metric. */
  render(): Promise<string>;
  /** Forgets every metric (the registry is the service's own; nothing global is touched). */
  dispose(): void;
}

/**
 * A registry for `service` ("api", "terminal"): prom-client's default process metrics
 * (CPU, memory, file descriptors, GC, `nodejs_eventloop_lag_seconds`) and
 * `rdv_http_request_duration_seconds{method,route,status}`. Every series carries
 * `service`. The caller disposes it.
 */
export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  // prom-client also sums these by-type gauges into gauges named `…_total`, a name
  // Prometheus keeps for counters (promtool flags them); the by-type ones carry it all.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
  const http = new Histogram({
    name: 'rdv_http_request_duration_seconds',
    help: 'HTTP requests by route pattern, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    contentType: registry.contentType,
    observeRequest: (method, route, status, seconds) => http.observe({ method, route, status: String(status) }, seconds),
    gauge(name: string, help: string, read: () => number | Record<string, number>, label?: string) {
      new Gauge({
        name,
        help,
        labelNames: label ? [label] : [],
        registers: [registry],
        collect() {
          const value = read();
          this.reset();
          if (typeof value === 'number') this.set(value);
          else for (const [k, v] of Object.entries(value)) this.set({ [label!]: k }, v);
        },
      });
    },
    render: () => registry.metrics(),
    dispose: () => registry.clear(),
  };
}

/** Something counted with labels: a prom-client Counter, or anything shaped like one (tests, a no-op). */
export interface LabeledCounter<L extends string> {
  inc(labels: LabelValues<L>, value?: number): void;
}

/** A counter on `metrics`' registry. */
export function createCounter<L extends string>(metrics: ServiceMetrics, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  return new Counter({ name, help, labelNames, registers: [metrics.registry] });
}

/** A histogram in seconds on `metrics`' registry. */
export function createHistogram(metrics: ServiceMetrics, name: string, help: string, buckets: number[]): Histogram {
  return new Histogram({ name, help, buckets, registers: [metrics.registry] });
}
