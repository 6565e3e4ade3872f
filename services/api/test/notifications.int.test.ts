// Notifications end to end on real parts: a fake agent reachable only through its hooks, a
// local webhook sink, Web Push to a local push service that verifies VAPID and decrypts,
// answers typed back into the agent with single-use tokens.
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PushPayloadSchema, WebhookBodySchema } from '@rdv/core/schemas';
import { useFakeAgents, useHttpSink, usePushEndpoint, waitFor } from '@rdv/core/testing';
import { openSse, useApi } from './helpers.js';

const sink = await useHttpSink('file');
const push = await usePushEndpoint('file');
const api = await useApi({ RDV_NOTIFICATIONS_WEBHOOK_URL: sink.url, RDV_NOTIFICATIONS_COALESCE_SECONDS: '0', RDV_NOTIFICATIONS_PUBLIC_URL: 'https://rdv.example.com' });
const fakes = useFakeAgents();

async function start(name: string) {
  const before = fakes.entries().filter((e) => e.started).length;
  const r = await api.call('POST', '/api/sessions', { name, kind: 'agent', agent: 'claude', env: fakes.env });
  expect(r.status).toBe(201);
  await waitFor(() => fakes.entries().filter((e) => e.started).length > before, 'agent started', 15_000);
  return r.body.id as string;
}
const prompt = (id: string, text: string) => api.call('POST', `/api/sessions/${id}/exec`, { command: text });
const pushesFor = (sessionId: string) => push.messages.map((m) => PushPayloadSchema.parse(JSON.parse(m.payload))).filter((p) => p.sessionId === sessionId);

describe('notifications', () => {
  it('devices subscribe with the VAPID key, are listed by host and removable', async () => {
    const key = (await api.call('GET', '/api/notifications/vapid-public-key')).body.publicKey;
    expect(key).toMatch(/^[A-Za-z0-9_-]{87}$/);
    expect(statSync(join(api.home, 'server', 'vapid.json')).mode & 0o777).toBe(0o600);
    const sub = push.subscribe();
    const saved = await api.call('POST', '/api/notifications/subscriptions', { ...sub, deviceLabel: 'Phone' });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ deviceLabel: 'Phone', endpointHost: new URL(push.origin).host });
    expect(JSON.stringify((await api.call('GET', '/api/notifications/subscriptions')).body)).not.toContain(sub.keys.auth);
    expect((await api.call('POST', '/api/notifications/subscriptions', { ...sub, endpoint: 'http://example.com/push' })).status).toBe(400);
    expect((await api.call('DELETE', `/api/notifications/subscriptions/${saved.body.id}`)).body).toEqual({ id: saved.body.id, deleted: true });
    expect((await api.call('DELETE', `/api/notifications/subscriptions/${saved.body.id}`)).body).toEqual({ id: saved.body.id, deleted: false });
    expect((await api.call('GET', '/api/notifications/subscriptions')).body.items).toEqual([]);
  });

  it('a permission asked through a hook reaches the webhook, every device and the centre; Allow answers the agent once', async () => {
    const device = push.subscribe();
    await api.call('POST', '/api/notifications/subscriptions', { ...device, deviceLabel: 'Laptop' });
    const sse = openSse(api.socket, api.ownerToken);
    try {
      const id = await start('deploy bot');
      await prompt(id, 'permission make deploy');
      const payload = (await waitFor(() => pushesFor(id).find((p) => p.type === 'permission'), 'a permission push', 15_000))!;
      expect(payload).toMatchObject({ title: 'deploy bot needs your permission', body: 'Bash: make deploy', url: `https://rdv.example.com/?s=${id}`, sessionId: id });
      expect(payload.actions.map((a) => a.action)).toEqual(['allow', 'deny']);
      const hook = await waitFor(() => sink.requests.map((r) => WebhookBodySchema.parse(JSON.parse(r.body))).find((b) => b.sessionId === id && b.type === 'permission'), 'webhook');
      expect(hook).toMatchObject({ sessionName: 'deploy bot', title: 'deploy bot needs your permission', url: `https://rdv.example.com/?s=${id}` });
      expect(sink.requests.map((r) => r.body).join('')).not.toContain('rdv_act_');
      await waitFor(() => sse.events.find((e) => e.event === 'notification.created' && e.data.data.notification.sessionId === id), 'notification.created on SSE', 5000);
      const centre = (await api.call('GET', '/api/notifications?unread=true')).body;
      expect(centre.unread).toBeGreaterThanOrEqual(1);
      const entry = centre.items.find((n: any) => n.sessionId === id && n.type === 'permission');
      expect(entry).toMatchObject({ read: false, title: 'deploy bot needs your permission' });

      const allow = payload.actions.find((a) => a.action === 'allow')!.token;
      const deny = payload.actions.find((a) => a.action === 'deny')!.token;
      const answered = await api.call('POST', '/api/notifications/actions', { token: allow });
      expect(answered.body).toMatchObject({ sessionId: id, action: 'allow', sent: true });
      await waitFor(() => fakes.entries().find((e) => e.answer === 'permission' && e.value === 'allow'), 'the agent was allowed', 10_000);
      // Single use, and the sibling Deny went with it.
      expect((await api.call('POST', '/api/notifications/actions', { token: allow })).status).toBe(409);
      const late = await api.call('POST', '/api/notifications/actions', { token: deny });
      expect(late.status).toBe(409);
      expect(late.body.error.message).toMatch(/moved on/);
      expect((await api.call('POST', '/api/notifications/actions', { token: 'rdv_act_nope' })).status).toBe(403);
      const audit = (await api.call('GET', '/api/audit?limit=100')).body.items.find((a: any) => a.action === 'session.inject' && a.target === id);
      expect(audit.detail).toMatchObject({ reason: 'notification: allow' });

      // Turn finished notifies too; then everything can be marked read.
      await waitFor(() => pushesFor(id).find((p) => p.type === 'turn_finished'), 'turn finished push', 15_000);
      const read = await api.call('POST', '/api/notifications/read', { all: true });
      expect(read.body).toMatchObject({ unread: 0 });
      expect(read.body.updated).toBeGreaterThanOrEqual(2);
      await waitFor(() => sse.events.find((e) => e.event === 'notification.read'), 'notification.read on SSE', 5000);
    } finally {
      sse.close();
    }
  }, 60_000);

  it('a stale notification cannot answer a prompt that moved on', async () => {
    const id = await start('stale bot');
    await prompt(id, 'permission rm -rf dist');
    const payload = (await waitFor(() => pushesFor(id).find((p) => p.type === 'permission'), 'a permission push', 15_000))!;
    // Answered in the terminal instead: the insight resolves and its tokens are revoked.
    await api.call('POST', `/api/orchestrators/${(await api.call('GET', '/api/orchestrators')).body.items[0].id}/inject`, { sessionId: id, keys: ['Escape'] });
    await waitFor(() => fakes.entries().find((e) => e.answer === 'permission' && e.value === 'deny'), 'denied in the terminal', 10_000);
    await waitFor(async () => (await api.call('GET', `/api/insights?open=true&sessionId=${id}`)).body.items.every((i: any) => i.severity === 'info'), 'permission resolved');
    const r = await api.call('POST', '/api/notifications/actions', { token: payload.actions[0]!.token });
    expect(r.status).toBe(409);
    expect(fakes.entries().filter((e) => e.answer === 'permission').length).toBe(2);
  }, 60_000);

  it('per-type switches for the user and a folder, a question with Reply options, a test and request_attention', async () => {
    const folder = (await api.call('POST', '/api/folders', { name: 'quiet folder' })).body;
    expect((await api.call('PATCH', `/api/folders/${folder.id}`, { notifications: { turn_finished: false } })).body.notifications).toEqual({ turn_finished: false });
    expect((await api.call('PATCH', '/api/preferences', { notifications: { exited: false } })).body.notifications).toEqual({ exited: false });
    const id = await start('picky bot');
    await api.call('PUT', `/api/sessions/${id}/folder`, { folderId: folder.id });
    await prompt(id, 'question Ship it today?|Yes, ship|Wait for review');
    const q = (await waitFor(() => pushesFor(id).find((p) => p.type === 'question'), 'question push', 15_000))!;
    expect(q.actions.map((a) => a.action)).toEqual(['reply:Yes, ship', 'reply:Wait for review']);
    await api.call('POST', '/api/notifications/actions', { token: q.actions[1]!.token });
    await waitFor(() => fakes.entries().find((e) => e.answer === 'question' && e.value === 'Wait for review'), 'the agent got the reply', 10_000);
    // turn_finished is off for this folder: the centre gets nothing for it either.
    await waitFor(async () => (await api.call('GET', `/api/insights?open=true&sessionId=${id}`)).body.items.some((i: any) => i.severity === 'info'), 'turn finished insight');
    expect(pushesFor(id).filter((p) => p.type === 'turn_finished')).toEqual([]);
    expect((await api.call('GET', '/api/notifications')).body.items.filter((n: any) => n.sessionId === id && n.type === 'turn_finished')).toEqual([]);

    const requested = await api.call('POST', `/api/sessions/${id}/attention`, { message: 'I need the staging password' });
    expect(requested.status).toBe(201);
    expect(requested.body).toMatchObject({ type: 'waiting_input', source: 'hook', message: 'picky bot asks for you: I need the staging password' });
    await waitFor(() => pushesFor(id).find((p) => p.body === 'I need the staging password'), 'request_attention push', 10_000);
    expect((await api.call('POST', `/api/sessions/${randomUUID()}/attention`, { message: 'x' })).status).toBe(404);

    const before = push.messages.length;
    const test = await api.call('POST', '/api/notifications/test');
    expect(test.body).toMatchObject({ notification: { title: 'rdv test notification' }, webhook: true });
    expect(test.body.push.sent).toBeGreaterThanOrEqual(1);
    expect(push.messages.length).toBeGreaterThan(before);
  }, 60_000);
});
