// Local-mode sign-ins against the real edge, api and terminal: the cookie is a sign-in the
// api keeps, so signing out or revoking it ends it (and closes what it opened) at once.
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { socketRequest } from '@rdv/core/lifecycle';
import { waitFor } from '@rdv/core/testing';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { isErrorBody, rawRequest } from './helpers/raw-http.js';
import { useStack } from './helpers/stack.js';

const stack = await useStack({ RDV_RATE_LIMIT_EVENT_STREAMS_PER_USER: '3' });
const host = new URL(stack.url).host;
const ownerToken = readFileSync(join(stack.home, 'cli-token'), 'utf8').trim();
const asOwner = (method: string, path: string) =>
  socketRequest<any>(join(stack.home, 'run', 'api.sock'), path, { method, headers: { authorization: `Bearer ${ownerToken}` } });

let browsers = 0;
/** Signs in with a fresh link as a browser of its own name (the sign-in's user agent). */
async function signIn(): Promise<{ cookie: string; secret: string; agent: string }> {
  const agent = `TestBrowser/${++browsers}`;
  const res = await fetch(await stack.loginLink(), { redirect: 'manual', headers: { 'user-agent': agent } });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  return { cookie, secret: cookie.slice(cookie.indexOf('=') + 1), agent };
}

const whoami = (cookie: string) => fetch(`${stack.url}/auth/whoami`, { headers: { cookie } }).then((r) => r.status);

/** An event stream through the edge; `ended` resolves when the edge closes it. */
function openEvents(cookie: string) {
  return new Promise<{ status: number; ended: Promise<void> }>((resolve, reject) => {
    const req = request(`${stack.url}/api/events`, { headers: { cookie } }, (res) => {
      const ended = new Promise<void>((r) => res.on('close', () => r()));
      res.resume();
      resolve({ status: res.statusCode ?? 0, ended });
    });
    req.on('error', () => {
      // The edge cutting the stream is what the tests wait for.
    });
    req.on('response', () => {});
    req.end();
    setTimeout(() => reject(new Error('no answer from /api/events')), 10_000).unref();
  });
}

/** A terminal through the edge; resolves once open, with its close code to come. */
async function openTerminal(cookie: string, sessionId: string) {
  const ws = new WebSocket(`ws://${host}/ws/terminal/${sessionId}`, { headers: { cookie } });
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, closed };
}

describe('local sign-ins', () => {
  it('HEAD on a login link does not use it up', async () => {
    const link = await stack.loginLink();
    expect((await fetch(link, { method: 'HEAD', redirect: 'manual' })).status).toBe(200);
    const res = await fetch(link, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('set-cookie')).toMatch(/^rdv_session=rdv_web_[\w-]+;.*HttpOnly; SameSite=Strict/);
  });

  it('signing out ends the sign-in at the server: the same cookie replayed is refused, and its terminal and events close', async () => {
    const { cookie } = await signIn();
    expect(await whoami(cookie)).toBe(200);
    const session = await stack.api<{ id: string }>('POST', '/api/sessions', { name: 'signout', kind: 'shell' });
    const events = await openEvents(cookie);
    expect(events.status).toBe(200);
    const term = await openTerminal(cookie, session.id);
    const out = await fetch(`${stack.url}/auth/logout`, { method: 'POST', headers: { cookie } });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect(await term.closed).toBe(4401);
    await events.ended;
    expect(await whoami(cookie)).toBe(401);
    expect((await fetch(`${stack.url}/api/sessions`, { headers: { cookie } })).status).toBe(401);
  });

  it('rdv login sessions lists sign-ins; revoking one closes its terminal and events within seconds', async () => {
    const { cookie, secret, agent } = await signIn();
    const other = await signIn();
    const session = await stack.api<{ id: string }>('POST', '/api/sessions', { name: 'revoked', kind: 'shell' });
    const events = await openEvents(cookie);
    const term = await openTerminal(cookie, session.id);
    const kept = await openTerminal(other.cookie, session.id);
    const listed = (await asOwner('GET', '/api/auth/sessions')).body.items;
    const mine = listed.find((s: any) => s.userAgent === agent);
    expect(mine).toMatchObject({ state: 'active' });
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect((await asOwner('DELETE', `/api/auth/sessions/${mine.id}`)).status).toBe(200);
    const at = Date.now();
    expect(await term.closed).toBe(4401);
    await events.ended;
    expect(Date.now() - at).toBeLessThan(5000);
    expect(await whoami(cookie)).toBe(401);
    expect(kept.ws.readyState).toBe(WebSocket.OPEN);
    expect(await whoami(other.cookie)).toBe(200);
    kept.ws.close();
  });

  it('caps event streams per user at the edge with 429 and the error body', async () => {
    const { cookie } = await signIn();
    const open = [await openEvents(cookie), await openEvents(cookie), await openEvents(cookie)];
    expect(open.map((e) => e.status)).toEqual([200, 200, 200]);
    const refused = await fetch(`${stack.url}/api/events`, { headers: { cookie } });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited', message: expect.stringMatching(/3 event streams/) } });
    await fetch(`${stack.url}/auth/logout`, { method: 'POST', headers: { cookie } });
    await Promise.all(open.map((e) => e.ended));
    await waitFor(async () => (await whoami(cookie)) === 401, 'signed out');
  });

  it('answers only its own loopback Host (DNS rebinding): 403 for any other, HTTP and websocket alike', async () => {
    const { cookie } = await signIn();
    const port = Number(new URL(stack.url).port);
    const get = (hostLine: string, version = '1.1') =>
      rawRequest({ port }, `GET /api/sessions HTTP/${version}\r\n${hostLine}Cookie: ${cookie}\r\nConnection: close\r\n\r\n`);
    for (const h of [`evil.example:${port}`, `127.0.0.1:${port + 1}`, 'evil.example', `rebind.127.0.0.1.nip.io:${port}`, `0.0.0.0:${port}`]) {
      const res = await get(`Host: ${h}\r\n`);
      expect(res.status, h).toBe(403);
      expect(isErrorBody(res.json)).toBe(true);
    }
    expect((await get('', '1.0')).status).toBe(403);
    expect((await get(`Host: localhost:${port}\r\n`)).status).toBe(200);
    expect((await get(`Host: 127.0.0.1:${port}\r\n`)).status).toBe(200);
    const upgrade = await rawRequest(
      { port },
      `GET /ws/terminal/00000000-0000-4000-8000-000000000000 HTTP/1.1\r\nHost: evil.example:${port}\r\nCookie: ${cookie}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    expect(upgrade.status).toBe(403);
  });
});
