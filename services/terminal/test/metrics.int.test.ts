import { socketRequest } from '@rdv/core/lifecycle';
import { spawnPty } from '@rdv/core/pty';
import { metricFamilies, promtoolCheckMetrics, waitFor } from '@rdv/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createTerminalMetrics, meterPty } from '../src/metrics.js';
import { bearer, connect, markCommand, startService, useRig } from './helpers.js';
import { expectNothingLeft } from './leaks.js';

/** The value of one sample line (`name{labels} value`) in a scrape, or null. */
const sample = (text: string, pattern: RegExp): number | null => {
  const m = new RegExp(`^${pattern.source} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
};

describe('terminal metrics and health', () => {
  afterEach(expectNothingLeft);

  it('serves /metrics that pass promtool, with connections and bytes counted', async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    const session = await rig.newSession();
    const client = await connect(svc.socketPath, session.id, { headers: bearer(rig.cliToken) });
    client.type(markCommand('metered'));
    await client.waitForText('MARKmetered');
    const scrape = () => socketRequest<string>(svc.socketPath, '/metrics', { headers: bearer(rig.cliToken) });
    const res = await scrape();
    expect(res.status).toBe(200);
    const check = await promtoolCheckMetrics(res.text);
    expect(check.output).toBe('');
    expect(check.code).toBe(0);
    const families = metricFamilies(res.text);
    for (const name of ['rdv_websocket_connections', 'rdv_terminal_bytes_total', 'rdv_terminal_flow_pauses_total', 'rdv_http_request_duration_seconds', 'nodejs_eventloop_lag_seconds', 'process_resident_memory_bytes']) {
      expect(families, name).toContain(name);
    }
    expect(sample(res.text, /rdv_websocket_connections\{service="terminal"\}/)).toBe(1);
    expect(sample(res.text, /rdv_terminal_bytes_total\{direction="in",service="terminal"\}/)).toBeGreaterThan(10);
    expect(sample(res.text, /rdv_terminal_bytes_total\{direction="out",service="terminal"\}/)).toBeGreaterThan(10);
    // The scrape before this one was timed under its route.
    expect((await scrape()).text).toMatch(/rdv_http_request_duration_seconds_count\{service="terminal",method="GET",route="\/metrics",status="200"\} [1-9]/);

    const health = await socketRequest<{ metrics: Record<string, number> }>(svc.socketPath, '/health');
    expect(health.body.metrics.websocketConnections).toBe(1);
    expect(health.body.metrics.requestsInFlight).toBe(1);
    client.ws.close();
    await client.closeCode;
    await waitFor(async () => (await scrape()).text.includes('rdv_websocket_connections{service="terminal"} 0'), 'the closed websocket to leave the gauge');
  });

  it('takes the service token and the owner\'s CLI token, not another user or nothing', async () => {
    const rig = await useRig();
    const svc = await startService(rig);
    const get = (headers: Record<string, string>) => socketRequest(svc.socketPath, '/metrics', { headers });
    expect((await get({ 'x-rdv-service-token': rig.serviceToken })).status).toBe(200);
    expect((await get({ 'x-rdv-service-token': rig.serviceToken, 'x-rdv-user-id': rig.owner.id })).status).toBe(200);
    expect((await get(bearer(rig.otherUser().token))).status).toBe(403);
    expect((await get({})).status).toBe(401);
  });

  it('counts a flow-control pause once per pause of a running tmux client', async () => {
    const metrics = createTerminalMetrics();
    const pty = meterPty(spawnPty({ file: '/bin/cat', args: [], cols: 80, rows: 24, env: { PATH: '/usr/bin:/bin' }, cwd: '/' }), metrics);
    try {
      pty.pause();
      pty.pause();
      pty.resume();
      pty.pause();
      const text = await metrics.service.render();
      expect(sample(text, /rdv_terminal_flow_pauses_total\{service="terminal"\}/)).toBe(2);
    } finally {
      pty.dispose();
      metrics.service.dispose();
    }
  });
});
