import { describe, expect, it } from 'vitest';
import { openServiceTokenStore } from '@rdv/core/auth';
import { metricFamilies, promtoolCheckMetrics, waitFor } from '@rdv/core/testing';
import { useApi } from './helpers.js';

const api = await useApi();
const scrape = () => api.call<string>('GET', '/metrics');

describe('GET /metrics on api.sock', () => {
  it('passes promtool and has every family the api promises', async () => {
    const session = (await api.call('POST', '/api/sessions', { name: 'metered', kind: 'shell' })).body;
    expect((await api.call('GET', `/api/sessions/${session.id}`)).status).toBe(200);
    const master = (await api.call('POST', '/api/orchestrators', { kind: 'master' })).body;
    expect((await api.call('POST', `/api/orchestrators/${master.id}/monitoring/start`)).status).toBe(200);
    // The monitor scans about once a second: wait for one to be timed.
    const text = await waitFor(async () => {
      const res = await scrape();
      return /^rdv_monitor_scan_seconds_count\{[^}]*\} [1-9]/m.test(res.text) ? res.text : null;
    }, 'a timed monitoring scan');
    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const check = await promtoolCheckMetrics(res.text);
    expect(check.output).toBe('');
    expect(check.code).toBe(0);
    const families = metricFamilies(text);
    for (const name of [
      'rdv_http_request_duration_seconds',
      'rdv_sse_connections',
      'rdv_sessions',
      'rdv_agent_sessions',
      'rdv_insights_open',
      'rdv_monitor_scan_seconds',
      'rdv_notifications_sent_total',
      'nodejs_eventloop_lag_seconds',
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
    ]) {
      expect(families, name).toContain(name);
    }
    expect(res.text).toMatch(/^rdv_sessions\{status="active",service="api"\} [1-9]/m);
    // Durations are labelled by the route's pattern, never the raw path.
    expect(res.text).toContain('route="/api/sessions/:id"');
    expect(res.text).not.toContain(session.id);
  });

  it('takes the service token and the owner\'s CLI token, not an API key or nothing', async () => {
    const serviceToken = openServiceTokenStore(api.config.paths.serviceToken, { create: false, graceMs: 0 }).current();
    expect((await api.call('GET', '/metrics', undefined, { authorization: '', 'x-rdv-service-token': serviceToken })).status).toBe(200);
    expect((await api.call('GET', '/metrics', undefined, { authorization: '', 'x-rdv-service-token': serviceToken, 'x-rdv-user-id': api.ownerId })).status).toBe(200);
    const key = (await api.call('POST', '/api/tokens', { name: 'agent', kind: 'api_key' })).body.token;
    expect((await api.as(key)('GET', '/metrics')).status).toBe(403);
    expect((await api.call('GET', '/metrics', undefined, { authorization: '' })).status).toBe(401);
  });

  it('reports websocket connections and requests in flight in /health', async () => {
    const health = await api.call('GET', '/health');
    expect(health.body.metrics).toMatchObject({ websocketConnections: 0, requestsInFlight: expect.any(Number) });
    expect(health.body.metrics.requestsInFlight).toBeGreaterThanOrEqual(1);
  });
});
