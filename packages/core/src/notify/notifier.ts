import { randomUUID } from 'node:crypto';
import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import type { LabeledCounter } from '../metrics/index.js';
import type { AttentionType, Notification } from '../schemas/index.js';
import type { PushOptions, PushSender } from './channels/push.js';
import type { WebhookSender } from './channels/webhook.js';
import { actionsFor, composeNotification, pushPayload, webhookBody } from './compose.js';
import { createDispatcher, type Dispatcher, type DispatchOutcome, type DispatchSettings } from './dispatcher.js';
import { severityOf, type AttentionEvent } from './event.js';
import type { ResolvePreference } from './preferences.js';
import { ACTION_TOKEN_TTL_MS, issueActionTokens } from './store/action-tokens.js';
import { addNotification } from './store/history.js';
import { pushTargetsOf, recordPushOutcome } from './store/subscriptions.js';

export interface NotifierDeps {
  db: Db;
  log: Logger;
  settings: DispatchSettings;
  resolvePreference: ResolvePreference;
  /** Web Push; null when it is not set up. */
  push: PushSender | null;
  /** `[notifications] webhook_url`; null when unset. */
  webhook: WebhookSender | null;
  /** rdv's public origin for links in webhooks; without it links are paths (`/?s=…`). */
  baseUrl?: string;
  /** After an entry is added to a user's notification centre (the api publishes it). */
  onCreated?: (userId: string, notification: Notification) => void;
  /** Counts deliveries by channel (`push`, `webhook`) and outcome (`ok`, `failed`): the api's `rdv_notifications_sent_total`. */
  sent?: LabeledCounter<'channel' | 'outcome'>;
  now?: () => number;
}

/** What one delivery did, for logs and tests. */
export interface DeliveryReport {
  notification: Notification;
  push: { sent: number; failed: number; removed: number };
  webhook: boolean | null;
}

export interface Notifier {
  notify(event: AttentionEvent): Promise<DispatchOutcome>;
  discard(userId: string, sessionId: string): void;
  /** Sends a test notification to the user's devices and webhook now, past the dispatcher's rules. */
  test(userId: string): Promise<DeliveryReport>;
  /** Resolves once every delivery started so far has finished (tests, shutdown). */
  idle(): Promise<void>;
  dispose(): void;
}

/** The session a test notification names: none (the nil UUID). */
export const TEST_SESSION_ID = '00000000-0000-0000-0000-000000000000';

const URGENT: ReadonlySet<AttentionType> = new Set(['permission', 'question', 'errored']);

/** Push delivery terms: an answerable message is worth no more than its tokens' lifetime. */
export function pushOptionsFor(event: AttentionEvent): PushOptions {
  const answerable = event.type === 'permission' || event.type === 'question';
  return {
    ttlSeconds: answerable ? ACTION_TOKEN_TTL_MS / 1000 : 3600,
    urgency: URGENT.has(event.type) ? 'high' : 'normal',
    // One pending message per session at the push service: a newer one replaces it.
    topic: event.sessionId.replace(/-/g, '').slice(0, 32),
  };
}

/**
 * Attention events in, notifications out: the dispatcher decides, then each becomes an
 * entry in the user's notification centre and, unless only kept, a Web Push message to
 * each of the user's devices (with single-use answer tokens) and a webhook call.
 */
export function createNotifier(deps: NotifierDeps): Notifier {
  const now = deps.now ?? Date.now;
  const log = deps.log.child({ component: 'notifier' });
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  };

  const record = (event: AttentionEvent, count: number) => {
    const id = randomUUID();
    const createdAt = new Date(now());
    const composed = composeNotification(event, { id, count, createdAt, baseUrl: deps.baseUrl });
    const notification = addNotification(deps.db, {
      id,
      userId: event.userId,
      type: event.type,
      severity: severityOf(event),
      sessionId: event.sessionId,
      sessionName: event.sessionName,
      insightId: event.insightId ?? null,
      title: composed.title,
      body: composed.body,
      url: composed.url,
      count,
      createdAt,
    });
    deps.onCreated?.(event.userId, notification);
    return { composed, notification };
  };

  const pushAll = async (event: AttentionEvent, payload: string) => {
    const out = { sent: 0, failed: 0, removed: 0 };
    if (!deps.push) return out;
    const options = pushOptionsFor(event);
    await Promise.all(
      pushTargetsOf(deps.db, event.userId).map(async (target) => {
        const result = await deps.push!.send(target, payload, options);
        recordPushOutcome(deps.db, target.id, { ok: result.ok, gone: !result.ok && result.gone });
        if (result.ok) out.sent += 1;
        else if (result.gone) out.removed += 1;
        else out.failed += 1;
      }),
    );
    return out;
  };

  const deliver = async (event: AttentionEvent, count: number): Promise<DeliveryReport> => {
    const { composed, notification } = record(event, count);
    const actions = actionsFor(event);
    const tokens = actions.length && event.insightId
      ? issueActionTokens(deps.db, { userId: event.userId, insightId: event.insightId, actions: actions.map((a) => a.action), now: new Date(now()) })
      : [];
    const payload = pushPayload(event, composed, actions.map((a, i) => ({ ...a, token: tokens[i]!.token })));
    const [push, webhook] = await Promise.all([
      pushAll(event, JSON.stringify(payload)),
      deps.webhook ? deps.webhook.send(webhookBody(event, composed)) : Promise.resolve(null),
    ]);
    if (push.sent) deps.sent?.inc({ channel: 'push', outcome: 'ok' }, push.sent);
    if (push.failed) deps.sent?.inc({ channel: 'push', outcome: 'failed' }, push.failed);
    if (webhook !== null) deps.sent?.inc({ channel: 'webhook', outcome: webhook ? 'ok' : 'failed' });
    log.info({ notificationId: notification.id, sessionId: event.sessionId, type: event.type, count, push, webhook }, 'notification sent');
    return { notification, push, webhook };
  };

  const dispatcher: Dispatcher = createDispatcher({
    settings: deps.settings,
    resolvePreference: deps.resolvePreference,
    log: deps.log,
    now,
    send: (event, { count }) => track(deliver(event, count)).then(() => undefined),
    keep: (event, { count, reason }) => {
      const { notification } = record(event, count);
      log.debug({ notificationId: notification.id, reason }, 'notification kept in the centre only');
    },
  });

  return {
    notify: (event) => track(dispatcher.notify(event)),
    discard: (userId, sessionId) => dispatcher.discard(userId, sessionId),
    test: (userId) =>
      track(
        deliver(
          {
            userId,
            type: 'turn_finished',
            sessionId: TEST_SESSION_ID,
            sessionName: 'rdv',
            folders: [],
            title: 'rdv test notification',
            message: 'Notifications reach this device. Agents that need you will show up like this.',
          },
          1,
        ),
      ),
    async idle() {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
    dispose: () => dispatcher.dispose(),
  };
}
