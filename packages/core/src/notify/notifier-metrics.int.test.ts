import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schema } from '../db/index.js';
import { createCounter, createServiceMetrics } from '../metrics/index.js';
import { testLogger, useDb, useHttpSink, usePushEndpoint, useTempDir } from '../testing/index.js';
import { createPushSender } from './channels/push.js';
import { loadVapidKeys } from './channels/vapid.js';
import { createWebhookSender } from './channels/webhook.js';
import { createNotifier } from './notifier.js';
import { savePushSubscription } from './store/subscriptions.js';

describe('notifier metrics', () => {
  it('counts each delivery on the counter it is given, by channel and outcome', async () => {
    const { db } = useDb();
    const userId = randomUUID();
    db.insert(schema.users).values({ id: userId, email: null, name: 'owner', createdAt: new Date() }).run();
    const push = await usePushEndpoint();
    const sink = await useHttpSink();
    const log = testLogger();
    const metrics = createServiceMetrics('api');
    const sent = createCounter(metrics, 'rdv_notifications_sent_total', 'Notifications delivered', ['channel', 'outcome']);
    const notifier = createNotifier({
      db,
      log,
      settings: { maxPerHour: 30, coalesceMs: 60_000, quietHours: null },
      resolvePreference: () => true,
      push: createPushSender({ vapid: loadVapidKeys(join(useTempDir(), 'server'), 'mailto:owner@example.com'), log }),
      webhook: createWebhookSender({ url: sink.url, log }),
      sent,
    });
    savePushSubscription(db, userId, { ...push.subscribe(), deviceLabel: 'Phone' });
    savePushSubscription(db, userId, { ...push.subscribe(), deviceLabel: 'Laptop' });
    const event = { userId, type: 'permission' as const, sessionId: randomUUID(), sessionName: 'build', folders: [], insightId: randomUUID(), message: 'Bash: make' };
    expect(await notifier.notify(event)).toEqual({ kind: 'sent', count: 1 });
    await notifier.idle();
    const values = (await sent.get()).values.map((v) => [v.labels.channel, v.labels.outcome, v.value]);
    expect(values).toEqual(expect.arrayContaining([['push', 'ok', 2], ['webhook', 'ok', 1]]));
    expect(await metrics.render()).toContain('rdv_notifications_sent_total{channel="push",outcome="ok",service="api"} 2');
    notifier.dispose();
    metrics.dispose();
  });
});
