import type { RdvConfig } from '@rdv/core/config';
import type { Db } from '@rdv/core/db';
import type { EventBus } from '@rdv/core/events';
import type { Logger } from '@rdv/core/log';
import {
  createNotifier,
  createPreferenceResolver,
  createPushSender,
  createWebhookSender,
  loadVapidKeys,
  notifySettingsFrom,
  vapidSubject,
  type Notifier,
} from '@rdv/core/notify';
import { storedPreferenceSources } from '@rdv/core/orchestrator';
import type { LabeledCounter } from '@rdv/core/metrics';

export interface Notifications {
  notifier: Notifier;
  /** The VAPID public key browsers subscribe with (base64url). */
  vapidPublicKey: string;
}

/**
 * The notifier of the api: Web Push with the server's VAPID keys (made on first start,
 * 0600 in server/), the configured webhook, the per-type switches of users and folders,
 * and every entry published as `notification.created` on /api/events.
 */
export function createNotifications(
  config: RdvConfig,
  db: Db,
  events: EventBus,
  log: Logger,
  /** Counts deliveries (`rdv_notifications_sent_total`). */
  sent?: LabeledCounter<'channel' | 'outcome'>,
): Notifications {
  const n = config.notifications;
  const vapid = loadVapidKeys(config.paths.serverDir, vapidSubject(n.vapid_subject, config.owner_email), log);
  const notifier = createNotifier({
    db,
    log,
    settings: notifySettingsFrom(config),
    resolvePreference: createPreferenceResolver(storedPreferenceSources(db)),
    push: createPushSender({ vapid, log }),
    webhook: n.webhook_url ? createWebhookSender({ url: n.webhook_url, format: n.webhook_format, timeoutMs: n.webhook_timeout_ms, log }) : null,
    baseUrl: n.public_url || undefined,
    onCreated: (userId, notification) => events.publish(userId, 'notification.created', { notification }),
    sent,
  });
  return { notifier, vapidPublicKey: vapid.publicKey };
}
