import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createSocketClient } from '@rdv/client/node';
import { createRateLimiter } from '@rdv/core/auth';
import { createSilentLogger } from '@rdv/core/log';
import { useTempDir, waitFor } from '@rdv/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createRequestHandler, createUpgradeHandler, type HandlerDeps } from '../src/server/handler.js';
import { createCookieSigner } from '../src/server/session-cookie.js';
import { createTerminalBridge } from '../src/server/terminal-proxy.js';

const USER = '6f1c2b9a-1d2e-4f3a-8b4c-5d6e7f809a1b';
const OTHER = '0a0b0c0d-0e0f-4a1b-8c2d-3e4f5a6b7c8d';
const SESSION = '11111111-2222-4333-8444-555555555555';
const GONE = '99999999-2222-4333-8444-555555555555';
const log = createSilentLogger();
const dir = useTempDir('file', 'rdvp-');
const closers: Array<() => void> = [];
afterAll(() => closers.forEach((c) => c()));

// A fake api: echoes what it received, and streams events slowly.
const apiSeen: IncomingHttpHeaders[] = [];
let releaseSecondEvent: () => void = () => {};
const api = createServer((req, res) => {
  apiSeen.push(req.headers);
  if (req.url === '/api/events') {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('id: 1\nevent: session.created\ndata: {}\n\n');
    releaseSecondEvent = () => res.end('id: 2\nevent: session.updated\ndata: {}\n\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'leak=1' }).end(JSON.stringify({ url: req.url, headers: req.headers }));
});
await new Promise<void>((r) => api.listen(join(dir, 'api.sock'), r));
closers.push(() => api.close());

// A fake terminal service: refuses GONE with 404, echoes frames, greets with a binary frame.
const terminalSeen: IncomingHttpHeaders[] = [];
const termHttp = createServer();
const termWss = new WebSocketServer({ noServer: true });
termHttp.on('upgrade', (req, socket, head) => {
  terminalSeen.push(req.headers);
  if (req.url?.includes(GONE)) {
    const body = JSON.stringify({ error: { code: 'not_found', message: 'session gone has ended' } });
    socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    return;
  }
  termWss.handleUpgrade(req, socket, head, (ws) => {
    ws.send(Buffer.from('hello \xe2\x9c\x93\r\n', 'latin1'), { binary: true });
    ws.on('message', (data, isBinary) => ws.send(JSON.stringify({ type: 'output', data: `${isBinary ? 'bin' : 'txt'}:${data.toString()}` })));
  });
});
await new Promise<void>((r) => termHttp.listen(join(dir, 'term.sock'), r));
closers.push(() => termHttp.close());

const bridge = createTerminalBridge({ socketPath: join(dir, 'term.sock'), log });
closers.push(() => bridge.dispose());
const deps: HandlerDeps = {
  authenticator: {
    mode: 'local',
    authenticate: async (h) => (String(h.cookie ?? '').includes('ok=1') ? { ok: true, userId: USER, email: null } : { ok: false, status: 401, reason: 'no' }),
  },
  serviceToken: { current: () => 'the-service-token' },
  bridge,
  apiSocket: join(dir, 'api.sock'),
  login: { api: createSocketClient({ socketPath: join(dir, 'api.sock') }), signer: createCookieSigner(Buffer.alloc(32, 1)), secureCookie: false, log },
  next: async (_req, res) => void res.end('next page'),
  log,
};
const handle = createRequestHandler(deps);
const edge: Server = createServer((req, res) => void handle(req, res));
const onUpgrade = createUpgradeHandler(deps);
edge.on('upgrade', (req, socket, head) => void onUpgrade(req, socket, head));
await new Promise<void>((r) => edge.listen(0, '127.0.0.1', r));
closers.push(() => edge.close());
const base = `127.0.0.1:${(edge.address() as AddressInfo).port}`;

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
  fetch(`http://${base}${path}`, { method, headers: { cookie: 'ok=1', ...headers } });

describe('api proxy', () => {
  it('replaces forged X-RDV-* headers with the verified identity and drops browser credentials', async () => {
    const res = await get('/api/echo?x=1', { 'x-rdv-user-id': OTHER, 'x-rdv-service-token': 'forged', 'X-RDV-Extra': '1', authorization: 'Bearer t', 'cf-access-jwt-assertion': 'j' });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    const body = (await res.json()) as { url: string; headers: Record<string, string> };
    expect(body.url).toBe('/api/echo?x=1');
    expect(body.headers['x-rdv-user-id']).toBe(USER);
    expect(body.headers['x-rdv-service-token']).toBe('the-service-token');
    expect(body.headers['x-rdv-extra']).toBeUndefined();
    expect(body.headers.cookie).toBeUndefined();
    expect(body.headers.authorization).toBeUndefined();
    expect(body.headers['cf-access-jwt-assertion']).toBeUndefined();
  });

  it('answers 401 without reaching the api when not authenticated, and 404 for edge-only routes', async () => {
    const before = apiSeen.length;
    const res = await fetch(`http://${base}/api/echo`, { headers: { 'x-rdv-user-id': USER, 'x-rdv-service-token': 'the-service-token' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
    expect((await get('/api/auth/resolve-user', { 'content-type': 'application/json' }, 'POST')).status).toBe(404);
    expect((await get('/api/Auth/Login-Links/Redeem', {}, 'POST')).status).toBe(404);
    expect(apiSeen.length).toBe(before);
  });

  it('refuses cross-site writes', async () => {
    const res = await get('/api/echo', { origin: 'https://evil.example' }, 'POST');
    expect(res.status).toBe(403);
    expect((await get('/api/echo', { origin: `http://${base}` }, 'POST')).status).toBe(200);
  });

  it('streams SSE without waiting for the stream to end', async () => {
    const first = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: Number(base.split(':')[1]), path: '/api/events', headers: { cookie: 'ok=1' } }, (res) => {
        res.once('data', (c: Buffer) => {
          resolve(c.toString());
          releaseSecondEvent();
        });
      });
      req.on('error', reject);
      req.end();
    });
    expect(first).toContain('event: session.created');
  });

  it('serves pages only to the signed in and public assets to all', async () => {
    expect((await fetch(`http://${base}/`)).status).toBe(401);
    expect(await (await get('/')).text()).toBe('next page');
    expect(await (await fetch(`http://${base}/_next/static/x.js`)).text()).toBe('next page');
  });
});

describe('failed authentication', () => {
  it('answers 429 once a client has failed too often, while signed-in requests still pass', async () => {
    const handle = createRequestHandler({ ...deps, failures: createRateLimiter({ perMinute: 2 }) });
    const limited = createServer((req, res) => void handle(req, res));
    await new Promise<void>((r) => limited.listen(0, '127.0.0.1', r));
    closers.push(() => limited.close());
    const at = `http://127.0.0.1:${(limited.address() as AddressInfo).port}`;
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${at}/api/echo`)).status);
    expect(statuses).toEqual([401, 401, 429]);
    expect((await fetch(`${at}/api/echo`, { headers: { cookie: 'ok=1' } })).status).toBe(200);
  });
});

const open = (path: string, headers: Record<string, string> = { cookie: 'ok=1' }) => new WebSocket(`ws://${base}${path}`, { headers });
const nextMessage = (ws: WebSocket) => new Promise<{ data: Buffer; isBinary: boolean }>((r) => ws.once('message', (data: Buffer, isBinary) => r({ data, isBinary })));

describe('terminal bridge', () => {
  it('adds the identity at upgrade and passes binary and protocol frames both ways', async () => {
    const ws = open(`/ws/terminal/${SESSION}?cols=100&rows=30&output=json`, { cookie: 'ok=1', 'x-rdv-user-id': OTHER, 'x-rdv-service-token': 'forged' });
    const greeting = await nextMessage(ws);
    expect(greeting.isBinary).toBe(true);
    expect(greeting.data.toString('utf8')).toBe('hello ✓\r\n');
    const seen = terminalSeen.at(-1)!;
    expect(seen['x-rdv-user-id']).toBe(USER);
    expect(seen['x-rdv-service-token']).toBe('the-service-token');
    expect(seen.cookie).toBeUndefined();
    ws.send('not json');
    ws.send(JSON.stringify({ type: 'input', data: 'x', extra: 1 }));
    ws.send(Buffer.from('raw'), { binary: true });
    ws.send(JSON.stringify({ type: 'input', data: 'ls\r' }));
    const echoed = await nextMessage(ws);
    expect(JSON.parse(echoed.data.toString())).toEqual({ type: 'output', data: 'txt:{"type":"input","data":"ls\\r"}' });
    ws.close();
  });

  it('refuses unauthenticated and cross-site upgrades with a plain status', async () => {
    const status = (ws: WebSocket) => new Promise<number>((r) => ws.on('unexpected-response', (_req, res) => r(res.statusCode ?? 0)).on('error', () => {}));
    expect(await status(open(`/ws/terminal/${SESSION}`, {}))).toBe(401);
    expect(await status(open(`/ws/terminal/${SESSION}`, { cookie: 'ok=1', origin: 'https://evil.example' }))).toBe(403);
    expect(await status(open('/ws/other'))).toBe(404);
  });

  it('tells the browser why the terminal refused (4000 + status) and closes with 1001 on shutdown', async () => {
    const gone = open(`/ws/terminal/${GONE}`);
    const closed = await new Promise<{ code: number; reason: string }>((r) => gone.on('close', (code, reason) => r({ code, reason: reason.toString() })));
    expect(closed).toEqual({ code: 4404, reason: 'session gone has ended' });

    const ws = open(`/ws/terminal/${SESSION}`);
    await nextMessage(ws);
    await waitFor(() => bridge.size === 1, 'bridged socket');
    const bye = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    bridge.closeAll(1001, 'shutting down');
    expect(await bye).toBe(1001);
  });
});
