// Request smuggling onto api.sock: raw bytes through the edge's handler, and a stand-in
// api that records every request it parses. A body on a request the edge forwards
// without one must never become a second request there.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createSilentLogger } from '@rdv/core/log';
import { useTempDir, waitFor } from '@rdv/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import type { EdgeApi } from '../src/server/edge-calls.js';
import { createRequestHandler, type HandlerDeps } from '../src/server/handler.js';
import { createTerminalBridge } from '../src/server/terminal-proxy.js';
import { isErrorBody, rawRequest } from './helpers/raw-http.js';

const USER = '6f1c2b9a-1d2e-4f3a-8b4c-5d6e7f809a1b';
const log = createSilentLogger();
const dir = useTempDir('file', 'rdvs-');
const closers: Array<() => void> = [];
afterAll(() => closers.forEach((c) => c()));

const seen: Array<{ method: string; url: string; body: string }> = [];
const api = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString('latin1')));
  req.on('end', () => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', body });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise<void>((r) => api.listen(join(dir, 'api.sock'), r));
closers.push(() => api.close());

const bridge = createTerminalBridge({ socketPath: join(dir, 'term.sock'), log });
closers.push(() => bridge.dispose());
const deps: HandlerDeps = {
  authenticator: { mode: 'cloudflare', authenticate: async () => ({ ok: true, userId: USER, email: 'ada@example.com' }) },
  serviceToken: { current: () => 'the-service-token' },
  bridge,
  apiSocket: join(dir, 'api.sock'),
  login: { api: { resolveUser: async () => { throw new Error('unused'); }, redeemLoginLink: async () => null, createLoginLink: async () => ({ code: 'x', expiresAt: '' }) } as unknown as EdgeApi, secureCookie: true, log },
  next: async (_req, res) => void res.end('next page'),
  log,
};
const handle = createRequestHandler(deps);
const edge: Server = createServer((req, res) => void handle(req, res));
await new Promise<void>((r) => edge.listen(0, '127.0.0.1', r));
closers.push(() => edge.close());
const port = (edge.address() as AddressInfo).port;

const SMUGGLED = 'POST /api/smuggled HTTP/1.1\r\nHost: rdv\r\nContent-Length: 0\r\n\r\n';
const chunk = (s: string) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;

/** Sends the attack, then one honest request, and waits for the honest one to reach the api. */
async function attempt(bytes: string) {
  const res = await rawRequest({ port }, bytes);
  const marker = `/api/after-${seen.length}-${Math.random().toString(36).slice(2)}`;
  await fetch(`http://127.0.0.1:${port}${marker}`);
  await waitFor(() => seen.some((s) => s.url === marker), 'the honest request');
  return res;
}

describe('request smuggling through the edge', () => {
  const head = (method: string, extra: string) => `${method} /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}`;
  const cases: Array<[string, string]> = [
    ['GET, chunked', `${head('GET', 'Transfer-Encoding: chunked\r\n\r\n')}${chunk(SMUGGLED)}0\r\n\r\n`],
    ['HEAD, chunked', `${head('HEAD', 'Transfer-Encoding: chunked\r\n\r\n')}${chunk(SMUGGLED)}0\r\n\r\n`],
    ['DELETE, chunked', `${head('DELETE', 'Transfer-Encoding: chunked\r\n\r\n')}${chunk(SMUGGLED)}0\r\n\r\n`],
    ['OPTIONS, chunked', `${head('OPTIONS', 'Transfer-Encoding: chunked\r\n\r\n')}${chunk(SMUGGLED)}0\r\n\r\n`],
    ['GET, upper-case CHUNKED', `${head('GET', 'transfer-encoding: CHUNKED\r\n\r\n')}${chunk(SMUGGLED)}0\r\n\r\n`],
    ['DELETE, gzip then chunked', `${head('DELETE', 'Transfer-Encoding: gzip, chunked\r\n\r\n')}${chunk(SMUGGLED)}0\r\n\r\n`],
    ['GET, Content-Length', `${head('GET', `Content-Length: ${SMUGGLED.length}\r\n\r\n`)}${SMUGGLED}`],
    ['DELETE, Content-Length', `${head('DELETE', `Content-Length: ${SMUGGLED.length}\r\n\r\n`)}${SMUGGLED}`],
    ['OPTIONS, Content-Length', `${head('OPTIONS', `Content-Length: ${SMUGGLED.length}\r\n\r\n`)}${SMUGGLED}`],
    ['HEAD, Content-Length', `${head('HEAD', `Content-Length: ${SMUGGLED.length}\r\n\r\n`)}${SMUGGLED}`],
  ];
  it.each(cases)('%s: 400, and api.sock never sees a second request', async (_what, bytes) => {
    const before = seen.length;
    const res = await attempt(bytes);
    expect(seen.slice(before).map((s) => s.url)).not.toContain('/api/smuggled');
    expect(res.status).toBe(400);
    if (!bytes.startsWith('HEAD')) expect(isErrorBody(res.json)).toBe(true);
    expect(seen.slice(before).map((s) => s.url)).not.toContain('/api/smuggled');
    expect(seen.slice(before).filter((s) => s.url === '/api/sessions')).toEqual([]);
  });

  it('an unknown method never reaches the api', async () => {
    const before = seen.length;
    const res = await attempt('TRACE /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(405);
    expect(seen.slice(before).filter((s) => s.url === '/api/sessions')).toEqual([]);
  });

  it('keeps the framing of a body that may be sent: a chunked POST arrives whole, as one request', async () => {
    const before = seen.length;
    const body = `{"x":"${'a'.repeat(100)}"}${SMUGGLED}`;
    const res = await attempt(`POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunk(body.slice(0, 50))}${chunk(body.slice(50))}0\r\n\r\n`);
    expect(res.status).toBe(200);
    const got = seen.slice(before).filter((s) => s.url !== '/api/after' && !s.url.startsWith('/api/after-'));
    expect(got).toEqual([{ method: 'POST', url: '/api/sessions', body }]);
  });
});
