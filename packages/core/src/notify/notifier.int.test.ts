import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schema, type Db } from '../db/index.js';
import { PushPayloadSchema, WebhookBodySchema, type Notification } from '../schemas/index.js';
import { testLogger, useDb, useHttpSink, usePushEndpoint, useTempDir, waitFor } from '../testing/index.js';
import { createPushSender } from './channels/push.js';
import { loadVapidKeys } from './channels/vapid.js';
import { createWebhookSender } from './channels/webhook.js';
import type { DispatchSettings } from './dispatcher.js';
import type { AttentionEvent } from './event.js';
import { createNotifier } from './notifier.js';
import { parseQuietHours } from './quiet-hours.js';
import { consumeActionToken } from './store/action-tokens.js';
import { countUnread, listNotifications } from './store/history.js';
import { listPushSubscriptions, savePushSubscription } from './store/subscriptions.js';

function addUser(db: Db): string {
  const id = randomUUID();
  db.insert(schema.users).values({ id, email: null, name: 'owner', createdAt: new Date() }).run();
  return id;
}

async function setup(settings: Partial<DispatchSettings> = {}, now?: () => number) {
  const { db } = useDb();
  const userId = addUser(db);
  const push = await usePushEndpoint();
  const sink = await useHttpSink();
  const log = testLogger();
  const vapid = loadVapidKeys(join(useTempDir(), 'server'), 'mailto:owner@example.com');
  const created: Notification[] = [];
  const notifier = createNotifier({
    db,
    log,
    settings: { maxPerHour: 30, coalesceMs: 60_000, quietHours: null, ...settings },
    resolvePreference: () => true,
    push: createPushSender({ vapid, log }),
    webhook: createWebhookSender({ url: sink.url, log }),
    baseUrl: 'https://rdv.example.com/',
    onCreated: (_user, n) => created.push(n),
    now,
  });
  const phone = push.subscribe();
  const laptop = push.subscribe();
  savePushSubscription(db, userId, { ...phone, deviceLabel: 'Phone' });
  savePushSubscription(db, userId, { ...laptop, deviceLabel: 'Laptop' });
  return { db, userId, push, sink, notifier, created, phone, laptop };
}

const permission = (userId: string, over: Partial<AttentionEvent> = {}): AttentionEvent => ({
  userId,
  type: 'permission',
  sessionId: randomUUID(),
  sessionName: 'api refactor',
  folders: [
    { id: randomUUID(), name: 'work' },
    { id: randomUUID(), name: 'rdv' },
  ],
  insightId: randomUUID(),
  message: 'Bash: rm -rf build',
  ...over,
});

describe('notifier', () => {
  it('a permission reaches every device (decrypted, with Allow/Deny tokens), the webhook and the centre', async () => {
    const { db, userId, push, sink, notifier, created, phone, laptop } = await setup();
    const event = permission(userId);
    expect(await notifier.notify(event)).toEqual({ kind: 'sent', count: 1 });
    await notifier.idle();
    expect(push.rejected).toEqual([]);
    expect(push.messages.map((m) => m.subscriptionId).sort()).toEqual([phone.id, laptop.id].sort());
    const payload = PushPayloadSchema.parse(JSON.parse(push.messages[0]!.payload));
    const url = `https://rdv.example.com/?s=${event.sessionId}`;
    expect(payload).toMatchObject({ type: 'permission', title: 'api refactor needs your permission', body: 'Bash: rm -rf build', url, sessionId: event.sessionId, count: 1 });
    expect(payload.actions.map((a) => [a.action, a.title])).toEqual([['allow', 'Allow'], ['deny', 'Deny']]);
    expect(push.messages[0]).toMatchObject({ ttl: 600, urgency: 'high', topic: event.sessionId.replace(/-/g, '') });
    const hook = WebhookBodySchema.strict().parse(JSON.parse(sink.requests[0]!.body));
    expect(hook).toMatchObject({ type: 'permission', severity: 'warning', sessionId: event.sessionId, sessionName: 'api refactor', folder: 'work/rdv', url, id: payload.id });
    expect(sink.requests[0]!.body).not.toContain('rdv_act_');
    expect(listNotifications(db, userId)).toEqual([expect.objectContaining({ id: payload.id, insightId: event.insightId, read: false, url })]);
    expect(created.map((n) => n.id)).toEqual([payload.id]);
    // The token in the notification answers the insight once.
    const allow = payload.actions[0]!.token;
    expect(consumeActionToken(db, allow, { userId, insightId: event.insightId! })).toMatchObject({ ok: true, action: 'allow' });
    expect(consumeActionToken(db, allow, { userId })).toMatchObject({ ok: false, reason: 'used' });
    expect(listPushSubscriptions(db, userId).every((s) => s.lastSuccessAt !== null)).toBe(true);
  });

  it('a question carries its options as Reply actions; a turn finished carries none', async () => {
    const { userId, push, notifier } = await setup();
    await notifier.notify(permission(userId, { type: 'question', message: 'Which database?', options: ['Postgres', 'SQLite'] }));
    await notifier.notify(permission(userId, { type: 'turn_finished', message: undefined }));
    await notifier.idle();
    const payloads = push.messages.map((m) => PushPayloadSchema.parse(JSON.parse(m.payload)));
    const question = payloads.find((p) => p.type === 'question')!;
    expect(question.actions.map((a) => a.action)).toEqual(['reply:Postgres', 'reply:SQLite']);
    const finished = payloads.find((p) => p.type === 'turn_finished')!;
    expect(finished).toMatchObject({ title: 'api refactor finished its turn', body: 'It is ready for your next prompt.', actions: [] });
    expect(push.messages.find((m) => m.payload.includes('turn_finished'))).toMatchObject({ ttl: 3600, urgency: 'normal' });
  });

  it('a subscription the push service says is gone (410) is removed; the other device still gets it', async () => {
    const { db, userId, push, notifier, phone, laptop } = await setup();
    push.respondWith(phone.id, 410);
    await notifier.notify(permission(userId));
    await notifier.idle();
    expect(push.messages.map((m) => m.subscriptionId)).toEqual([laptop.id]);
    expect(listPushSubscriptions(db, userId).map((s) => s.deviceLabel)).toEqual(['Laptop']);
  });

  it('repeats for a session are folded into one sent when the window ends, counted', async () => {
    const { db, userId, push, sink, notifier } = await setup({ coalesceMs: 400 });
    const first = permission(userId);
    await notifier.notify(first);
    expect(await notifier.notify({ ...first, message: 'Bash: npm publish' })).toEqual({ kind: 'folded', count: 1 });
    expect(await notifier.notify({ ...first, message: 'Bash: git push --force' })).toEqual({ kind: 'folded', count: 2 });
    await waitFor(() => sink.requests.length === 2, 'the folded notification', 5000);
    await notifier.idle();
    const folded = JSON.parse(sink.requests[1]!.body) as { body: string };
    expect(folded.body).toBe('Bash: git push --force (2 updates)');
    expect(push.messages).toHaveLength(4);
    expect(listNotifications(db, userId).map((n) => n.count)).toEqual([2, 1]);
    notifier.dispose();
  });

  it('in quiet hours nothing leaves, but the centre lists it', async () => {
    const threeAm = Date.parse('2026-03-10T03:00:00Z');
    const { db, userId, push, sink, notifier } = await setup({ quietHours: parseQuietHours('22:00-07:00'), timeZone: 'UTC' }, () => threeAm);
    expect(await notifier.notify(permission(userId))).toEqual({ kind: 'kept', reason: 'quiet_hours', count: 1 });
    await notifier.idle();
    expect(push.messages).toEqual([]);
    expect(sink.requests).toEqual([]);
    expect(countUnread(db, userId)).toBe(1);
    expect(listNotifications(db, userId)[0]!.createdAt).toBe('2026-03-10T03:00:00.000Z');
  });
});
