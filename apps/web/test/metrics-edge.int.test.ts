// Prometheus through the edge: the real api and terminal services on their sockets, the
// edge's request handler on TCP (local mode), scraped as the owner's browser and as a
// Prometheus server with the owner's CLI token.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSocketClient } from '@rdv/client/node';
import { createRateLimiter, openServiceTokenStore } from '@rdv/core/auth';
import { createShutdown } from '@rdv/core/lifecycle';
import { createSilentLogger } from '@rdv/core/log';
import { metricFamilies, promtoolCheckMetrics } from '@rdv/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { useApi } from '../../../services/api/test/helpers.js';
import { startTerminal } from '../../../services/terminal/src/server.js';
import { createLocalAuthenticator } from '../src/server/authenticator.js';
import { createRequestHandler } from '../src/server/handler.js';
import { createCookieSigner, SESSION_COOKIE } from '../src/server/session-cookie.js';
import { createTerminalBridge } from '../src/server/terminal-proxy.js';

const log = createSilentLogger();
const api = await useApi();
const terminalShutdown = createShutdown(log, 5000);
const terminal = await startTerminal(api.config, log, terminalShutdown);
const signer = createCookieSigner(Buffer.alloc(32, 9));
const bridge = createTerminalBridge({ socketPath: terminal.socketPath, log });
const handle = createRequestHandler({
  authenticator: createLocalAuthenticator(signer),
  serviceToken: openServiceTokenStore(api.config.paths.serviceToken, { create: false, graceMs: 0 }),
  bridge,
  apiSocket: api.socket,
  terminalSocket: terminal.socketPath,
  login: { api: createSocketClient({ socketPath: api.socket }), signer, secureCookie: false, log },
  next: async (_req, res) => void res.end('page'),
  failures: createRateLimiter({ perMinute: 100 }),
  log,
});
const edge = createServer((req, res) => void handle(req, res));
await new Promise<void>((r) => edge.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(edge.address() as AddressInfo).port}`;
afterAll(async () => {
  bridge.dispose();
  edge.close();
  await terminalShutdown.shutdown('test done');
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });

describe('metrics through the edge', () => {
  it("gives the owner's browser and a scraper with the owner's CLI token each service's metrics", async () => {
    const cookie = `${SESSION_COOKIE}=${signer.sign(api.ownerId)}`;
    for (const [service, family] of [
      ['api', 'rdv_sessions'],
      ['terminal', 'rdv_websocket_connections'],
    ] as const) {
      for (const headers of [{ cookie }, { authorization: `Bearer ${api.ownerToken}` }] as Array<Record<string, string>>) {
        const res = await get(`/metrics/${service}`, headers);
        expect(res.status).toBe(200);
        const text = await res.text();
        expect(await promtoolCheckMetrics(text)).toEqual({ code: 0, output: '' });
        expect(metricFamilies(text)).toContain(family);
        expect(text).toContain(`service="${service}"`);
      }
    }
  });

  it('refuses an API key, an unknown CLI token, nobody, and anything but GET', async () => {
    const key = (await api.call<{ token: string }>('POST', '/api/tokens', { name: 'agent', kind: 'api_key' })).body.token;
    expect((await get('/metrics/api', { authorization: `Bearer ${key}` })).status).toBe(401);
    expect((await get('/metrics/api')).status).toBe(401);
    expect((await get('/metrics/terminal', { authorization: 'Bearer rdv_cli_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).status).toBe(401);
    const cookie = `${SESSION_COOKIE}=${signer.sign(api.ownerId)}`;
    expect((await fetch(`${base}/metrics/api`, { method: 'POST', headers: { cookie } })).status).toBe(405);
    // Only the two services' paths are forwarded; anything else under /metrics is the UI's.
    expect(await (await get('/metrics/other', { cookie })).text()).toBe('page');
  });
});
