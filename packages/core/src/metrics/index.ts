// Prometheus metrics (prom-client): one registry per service with process, event-loop and
// HTTP metrics, and helpers for each service's own families.
export { createCounter, createHistogram, createServiceMetrics, type LabeledCounter, type ServiceMetrics } from './registry.js';
