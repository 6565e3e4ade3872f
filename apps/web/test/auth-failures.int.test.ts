// Failed sign-ins at the edge: limited per visitor (behind Cloudflare, its Cf-Connecting-IP),
// and every one sent to the audit log, throttled or not.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRateLimiter } from '@rdv/core/auth';
import { createSilentLogger } from '@rdv/core/log';
import { afterAll, describe, expect, it } from 'vitest';
import type { EdgeApi } from '../src/server/edge-calls.js';
import { createFailureAudit, type FailedSignIn } from '../src/server/failure-audit.js';
import { createRequestHandler } from '../src/server/handler.js';
import { createTerminalBridge } from '../src/server/terminal-proxy.js';

const log = createSilentLogger();
const recorded: FailedSignIn[] = [];
const bridge = createTerminalBridge({ socketPath: '/nonexistent/term.sock', log });
const handle = createRequestHandler({
  authenticator: { mode: 'cloudflare', authenticate: async () => ({ ok: false, status: 401, reason: 'Cloudflare Access token has expired' }) },
  serviceToken: { current: () => 'unused' },
  bridge,
  apiSocket: '/nonexistent/api.sock',
  login: { api: {} as EdgeApi, secureCookie: true, log },
  next: async (_req, res) => void res.end('next page'),
  failures: createRateLimiter({ perMinute: 2 }),
  auditFailure: (f) => recorded.push(f),
  log,
});
const edge = createServer((req, res) => void handle(req, res));
await new Promise<void>((r) => edge.listen(0, '127.0.0.1', r));
afterAll(() => {
  edge.close();
  bridge.dispose();
});
const at = `http://127.0.0.1:${(edge.address() as AddressInfo).port}`;
const from = (ip: string) => fetch(`${at}/api/sessions`, { headers: { 'cf-connecting-ip': ip } }).then((r) => r.status);

describe('failed sign-ins at the edge', () => {
  it('are limited per visitor behind Cloudflare, and every one is audited', async () => {
    const statuses = [await from('203.0.113.7'), await from('203.0.113.7'), await from('203.0.113.7')];
    expect(statuses).toEqual([401, 401, 429]);
    expect(await from('198.51.100.9')).toBe(401);
    expect(recorded).toEqual([
      { source: '203.0.113.7', reason: 'Cloudflare Access token has expired', target: 'GET /api/sessions', throttled: false },
      { source: '203.0.113.7', reason: 'Cloudflare Access token has expired', target: 'GET /api/sessions', throttled: false },
      { source: '203.0.113.7', reason: 'Cloudflare Access token has expired', target: 'GET /api/sessions', throttled: true },
      { source: '198.51.100.9', reason: 'Cloudflare Access token has expired', target: 'GET /api/sessions', throttled: false },
    ]);
    // Not an address: the peer address is the source.
    expect(await from('not-an-ip')).toBe(401);
    expect(recorded.at(-1)!.source).toBe('127.0.0.1');
  });

  it('are sent in bounded batches; what does not fit, or could not be sent, is counted, never lost', async () => {
    const sent: Array<{ n: number; dropped: number }> = [];
    let up = false;
    const audit = createFailureAudit(
      {
        auditFailures: async (failures, dropped) => {
          if (!up) throw new Error('api down');
          sent.push({ n: failures.length, dropped });
        },
      },
      log,
      60_000,
    );
    for (let i = 0; i < 1200; i++) audit.record({ source: 'x', reason: 'r', target: 't', throttled: i > 5 });
    await audit.flush();
    expect(sent).toEqual([]);
    up = true;
    audit.record({ source: 'y', reason: 'r', target: 't', throttled: false });
    await audit.flush();
    expect(sent).toEqual([{ n: 1, dropped: 1200 }]);
    await audit.dispose();
  });
});
