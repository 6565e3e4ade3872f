// The service worker (public/sw.js) in Chromium: a push delivered over CDP shows a
// notification with its answers, and a tap on an answer posts its token to the api.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBrowser } from './helpers/browser.js';
import { REPO } from './helpers/stack.js';

const SW = readFileSync(join(REPO, 'apps/web/public/sw.js'), 'utf8');
const SESSION = '6f1c2a9e-3b4d-4e5f-8a6b-7c8d9e0f1a2b';

interface Posted {
  body: string;
  contentType: string | undefined;
}

/** Stands in for the edge: the page, /sw.js, and the answers endpoint (recording what it gets). */
function startOrigin() {
  const posted: Posted[] = [];
  const state = { answer: { status: 200, body: '{"ok":true}' } };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/sw.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(SW);
      if (req.url === '/api/notifications/actions' && req.method === 'POST') {
        posted.push({ body: Buffer.concat(chunks).toString('utf8'), contentType: req.headers['content-type'] });
        return res.writeHead(state.answer.status, { 'content-type': 'application/json' }).end(state.answer.body);
      }
      if (req.url === '/' || req.url?.startsWith('/?')) return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>rdv</title>');
      res.writeHead(404).end();
    });
  });
  return { server, posted, state };
}

const payload = (over: Record<string, unknown> = {}) => ({
  id: '0b8e4a52-5d53-4a43-9c0c-7a1b1f0c2d11',
  type: 'permission',
  title: 'api refactor needs your permission',
  body: 'Bash: rm -rf build',
  url: `/?s=${SESSION}`,
  tag: `rdv-session-${SESSION}`,
  sessionId: SESSION,
  count: 1,
  actions: [
    { action: 'allow', title: 'Allow', token: 'rdv_act_allow-token' },
    { action: 'deny', title: 'Deny', token: 'rdv_act_deny-token' },
  ],
  ...over,
});

const browser = await useBrowser();
const origin = startOrigin();
let base = '';
let ctx: BrowserContext;
let page: Page;
let cdp: CDPSession;
let registrationId = '';

/** What registration.getNotifications() shows, as plain data. */
const shown = () =>
  page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    // `actions` is in the WebWorker lib only; the page sees it all the same.
    type Shown = Notification & { actions: Array<{ action: string; title: string }> };
    return (await reg.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, actions: (n as Shown).actions, data: n.data as Record<string, unknown> }));
  });

async function deliver(data: unknown): Promise<void> {
  await cdp.send('ServiceWorker.deliverPushMessage', { origin: base, registrationId, data: JSON.stringify(data) });
}

/** Taps a notification: its notificationclick listener runs with `action` ('' for the body). */
async function tap(title: string, action: string): Promise<void> {
  const [worker] = ctx.serviceWorkers();
  await worker!.evaluate(
    async ([t, a]) => {
      type NotificationEventCtor = new (type: string, init: { notification: Notification; action: string }) => Event;
      const scope = self as unknown as { registration: ServiceWorkerRegistration; dispatchEvent(e: Event): boolean; NotificationEvent: NotificationEventCtor };
      const n = (await scope.registration.getNotifications()).find((x) => x.title === t);
      if (!n) throw new Error(`no notification ${t}`);
      // A synthetic event runs the real listener; its waitUntil may refuse an untrusted event.
      scope.dispatchEvent(new scope.NotificationEvent('notificationclick', { notification: n, action: a }));
    },
    [title, action] as const,
  );
}

beforeAll(async () => {
  await new Promise<void>((resolve) => origin.server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(origin.server.address() as AddressInfo).port}`;
  ctx = await browser.newContext();
  await ctx.grantPermissions(['notifications'], { origin: base });
  page = await ctx.newPage();
  cdp = await ctx.newCDPSession(page);
  const registered = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const mine = registrations.find((r) => r.scopeURL === `${base}/` && !r.isDeleted);
      if (mine) resolve(mine.registrationId);
    });
  });
  await cdp.send('ServiceWorker.enable');
  await page.goto(`${base}/?s=${SESSION}`);
  await page.evaluate(async () => {
    (window as unknown as { messages: unknown[] }).messages = [];
    navigator.serviceWorker.onmessage = (e) => (window as unknown as { messages: unknown[] }).messages.push(e.data);
    await navigator.serviceWorker.register('/sw.js');
    await navigator.serviceWorker.ready;
  });
  registrationId = await registered;
});

afterAll(async () => {
  await ctx?.close();
  await new Promise<void>((resolve) => origin.server.close(() => resolve()));
});

describe('service worker', () => {
  it('shows a pushed permission with Allow and Deny', async () => {
    await deliver(payload());
    await expect.poll(shown, { timeout: 10_000 }).toHaveLength(1);
    const [n] = await shown();
    expect(n).toMatchObject({
      title: 'api refactor needs your permission',
      body: 'Bash: rm -rf build',
      tag: `rdv-session-${SESSION}`,
      actions: [
        { action: 'allow', title: 'Allow' },
        { action: 'deny', title: 'Deny' },
      ],
    });
    expect(n!.data).toMatchObject({ url: `/?s=${SESSION}`, sessionId: SESSION, tokens: { allow: 'rdv_act_allow-token', deny: 'rdv_act_deny-token' } });
  });

  it('Allow posts its token to /api/notifications/actions and closes the notification', async () => {
    await tap('api refactor needs your permission', 'allow');
    await expect.poll(() => origin.posted.length, { timeout: 10_000 }).toBe(1);
    expect(origin.posted[0]).toEqual({ body: '{"token":"rdv_act_allow-token"}', contentType: 'application/json' });
    await expect.poll(shown, { timeout: 10_000 }).toEqual([]);
  });

  it('a question shows its options as Reply buttons; a newer push for the session replaces the older', async () => {
    const question = payload({
      type: 'question',
      title: 'api refactor has a question',
      body: 'Which database?',
      actions: [
        { action: 'reply:Postgres', title: 'Postgres', token: 'rdv_act_pg' },
        { action: 'reply:SQLite', title: 'SQLite', token: 'rdv_act_lite' },
      ],
    });
    await deliver(payload());
    await expect.poll(shown, { timeout: 10_000 }).toHaveLength(1);
    await deliver(question);
    await expect.poll(async () => (await shown()).map((n) => n.title), { timeout: 10_000 }).toEqual(['api refactor has a question']);
    expect((await shown())[0]!.actions.map(({ action, title }) => ({ action, title }))).toEqual([
      { action: 'reply:Postgres', title: 'Postgres' },
      { action: 'reply:SQLite', title: 'SQLite' },
    ]);
  });

  it('a refused answer is explained in a new notification, in the api\'s words', async () => {
    origin.state.answer = { status: 409, body: JSON.stringify({ error: { code: 'conflict', message: 'This action was already used.' } }) };
    await tap('api refactor has a question', 'reply:SQLite');
    await expect.poll(() => origin.posted.at(-1)?.body, { timeout: 10_000 }).toBe('{"token":"rdv_act_lite"}');
    await expect.poll(async () => (await shown()).map((n) => [n.title, n.body]), { timeout: 10_000 }).toEqual([['Not answered', 'This action was already used.']]);
  });

  it('a tap on the body opens the session in the open window', async () => {
    await deliver(payload({ type: 'turn_finished', title: 'api refactor finished its turn', body: 'Ready.', actions: [] }));
    await expect.poll(async () => (await shown()).map((n) => [n.title, n.actions.length]), { timeout: 10_000 }).toEqual([['api refactor finished its turn', 0]]);
    const before = origin.posted.length;
    await tap('api refactor finished its turn', '');
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { messages: unknown[] }).messages), { timeout: 10_000 })
      .toEqual([{ type: 'rdv:open-session', url: `${base}/?s=${SESSION}`, sessionId: SESSION }]);
    expect(origin.posted.length).toBe(before);
  });
});
