// Attention end to end in Chromium against the real services: a fake Claude Code reachable
// only through its hooks asks for permission; the api pushes to a local push service (which
// verifies VAPID and decrypts); that payload, delivered to rdv's service worker over CDP,
// shows a notification whose Allow answers the agent through the edge. The bell counts it,
// the tab title too, and the service worker's "open this session" opens the terminal.
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useFakeAgents, usePushEndpoint, waitFor } from '@rdv/core/testing';
import { DESKTOP, shot, useBrowser } from './helpers/browser.js';
import { useStack } from './helpers/stack.js';

const push = await usePushEndpoint('file');
const fakes = useFakeAgents();
const stack = await useStack();
const browser = await useBrowser();
let ctx: BrowserContext;
let page: Page;
let cdp: CDPSession;
let registrationId = '';
let sessionId = '';

type Shown = { title: string; body: string; actions: Array<{ action: string; title: string }> };
const shown = () =>
  page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    return (await reg.getNotifications()).map((n) => ({ title: n.title, body: n.body, actions: (n as Notification & { actions: Shown['actions'] }).actions }));
  });

beforeAll(async () => {
  ctx = await browser.newContext(DESKTOP);
  await ctx.grantPermissions(['notifications'], { origin: stack.url });
  page = await ctx.newPage();
  cdp = await ctx.newCDPSession(page);
  const registered = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const mine = registrations.find((r) => r.scopeURL === `${stack.url}/` && !r.isDeleted);
      if (mine) resolve(mine.registrationId);
    });
  });
  await cdp.send('ServiceWorker.enable');
  await page.goto(await stack.loginLink());
  // The app registers /sw.js itself.
  registrationId = await registered;
  // This "device" receives pushes at the local push service.
  await stack.api('POST', '/api/notifications/subscriptions', { ...push.subscribe(), deviceLabel: 'Test phone' });
  const created = await stack.api<{ id: string }>('POST', '/api/sessions', { name: 'deploy bot', kind: 'agent', agent: 'claude', env: fakes.env });
  sessionId = created.id;
  await waitFor(() => fakes.entries().some((e) => e.started), 'the fake agent started', 20_000);
}, 90_000);

afterAll(async () => {
  await ctx?.close();
});

describe('attention in the browser', () => {
  it("a permission notification's Allow, tapped in the service worker, answers the agent", async () => {
    await stack.api('POST', `/api/sessions/${sessionId}/exec`, { command: 'permission make deploy' });
    const message = await waitFor(() => push.messages.find((m) => JSON.parse(m.payload).type === 'permission'), 'the push', 20_000);
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: stack.url, registrationId, data: message.payload });
    await expect.poll(shown, { timeout: 10_000 }).toEqual([
      { title: 'deploy bot needs your permission', body: 'Bash: make deploy', actions: [expect.objectContaining({ action: 'allow', title: 'Allow' }), expect.objectContaining({ action: 'deny', title: 'Deny' })] },
    ]);
    const [worker] = ctx.serviceWorkers();
    await worker!.evaluate(async () => {
      type Ctor = new (type: string, init: { notification: Notification; action: string }) => Event;
      const scope = self as unknown as { registration: ServiceWorkerRegistration; dispatchEvent(e: Event): boolean; NotificationEvent: Ctor };
      const [n] = await scope.registration.getNotifications();
      scope.dispatchEvent(new scope.NotificationEvent('notificationclick', { notification: n!, action: 'allow' }));
    });
    await waitFor(() => fakes.entries().find((e) => e.answer === 'permission' && e.value === 'allow'), 'the agent was allowed', 20_000);
    const audit = await stack.api<{ items: Array<{ action: string; target: string; detail: Record<string, unknown> }> }>('GET', '/api/audit?limit=50');
    expect(audit.items.find((a) => a.action === 'session.inject' && a.target === sessionId)?.detail).toMatchObject({ reason: 'notification: allow' });
  }, 60_000);

  it('the bell counts unread notifications, the tab title too; the panel lists them and marks them read', async () => {
    const bell = page.getByRole('button', { name: /^Notifications, \d+ unread$/ });
    await bell.waitFor({ timeout: 20_000 });
    await expect.poll(() => page.title(), { timeout: 10_000 }).toMatch(/^\(\d+\) rdv$/);
    await bell.click();
    const panel = page.getByRole('dialog', { name: 'Notifications' });
    await panel.getByText('deploy bot needs your permission').first().waitFor();
    await panel.getByText('Test phone').waitFor();
    await shot(page, 'attention-01-bell');
    await panel.getByRole('button', { name: 'Mark all read' }).click();
    await page.getByRole('button', { name: 'Notifications', exact: true }).waitFor({ timeout: 10_000 });
    await expect.poll(() => page.title(), { timeout: 10_000 }).toBe('rdv');
    await panel.getByRole('button', { name: 'Remove Test phone' }).click();
    await expect.poll(async () => (await stack.api<{ items: unknown[] }>('GET', '/api/notifications/subscriptions')).items.length, { timeout: 10_000 }).toBe(0);
    await panel.getByRole('checkbox', { name: 'Turn finished' }).uncheck();
    await expect.poll(async () => (await stack.api<{ notifications: Record<string, boolean> }>('GET', '/api/preferences')).notifications, { timeout: 10_000 }).toEqual({ turn_finished: false });
    await panel.getByRole('button', { name: 'Close notifications' }).click();
  }, 60_000);

  it("the service worker's open-session message opens that session's terminal", async () => {
    const [worker] = ctx.serviceWorkers();
    await worker!.evaluate(async (id) => {
      const scope = self as unknown as { clients: { matchAll(o: { type: 'window' }): Promise<Array<{ postMessage(m: unknown): void }>> } };
      for (const c of await scope.clients.matchAll({ type: 'window' })) c.postMessage({ type: 'rdv:open-session', url: `/?s=${id}`, sessionId: id });
    }, sessionId);
    await expect.poll(() => new URL(page.url()).searchParams.get('s'), { timeout: 10_000 }).toBe(sessionId);
    await page.getByRole('tab', { name: /deploy bot/ }).first().waitFor({ timeout: 10_000 }).catch(async () => {
      // Narrow layouts have no tab strip; the URL names the open session either way.
      expect(new URL(page.url()).searchParams.get('s')).toBe(sessionId);
    });
  }, 30_000);
});
