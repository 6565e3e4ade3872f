// Attention notifications: which events notify (dispatcher), how they leave (Web Push,
// webhook), what is kept (notification centre, push subscriptions, answer tokens).
export { DEFAULT_SEVERITY, severityOf, type AttentionEvent } from './event.js';
export { isQuietAt, minutesInZone, parseQuietHours, type QuietHours } from './quiet-hours.js';
export {
  DEFAULT_NOTIFY_PREFERENCES,
  createPreferenceResolver,
  inheritPreference,
  notifyPreferencesOf,
  type PreferenceQuery,
  type PreferenceSources,
  type ResolvePreference,
} from './preferences.js';
export {
  HOUR_MS,
  createDispatcher,
  decideArrival,
  decideEmit,
  type Dispatcher,
  type DispatcherDeps,
  type DispatchOutcome,
  type DispatchSettings,
  type KeepReason,
} from './dispatcher.js';
export { MAX_BODY_CHARS, actionsFor, composeNotification, pushPayload, webhookBody, type ComposedNotification } from './compose.js';
export { VAPID_FILE, loadVapidKeys, vapidSubject, type VapidKeys } from './channels/vapid.js';
export {
  createPushSender,
  hostOf,
  type PushOptions,
  type PushResult,
  type PushSender,
  type PushTarget,
  type PushUrgency,
} from './channels/push.js';
export { createWebhookSender, webhookRequest, type WebhookFormat, type WebhookSender } from './channels/webhook.js';
export {
  listPushSubscriptions,
  pushTargetsOf,
  recordPushOutcome,
  removePushSubscription,
  savePushSubscription,
  toPushSubscriptionInfo,
  type StoredPushSubscription,
} from './store/subscriptions.js';
export {
  addNotification,
  countUnread,
  listNotifications,
  markNotificationsRead,
  pruneNotifications,
  toNotification,
  type ListNotificationsOptions,
  type NewNotification,
} from './store/history.js';
export {
  ACTION_REFUSALS,
  ACTION_TOKEN_TTL_MS,
  consumeActionToken,
  issueActionTokens,
  pruneActionTokens,
  revokeActionTokens,
  type ActionRefusal,
  type ConsumeActionResult,
  type IssuedActionToken,
} from './store/action-tokens.js';
export { TEST_SESSION_ID, createNotifier, pushOptionsFor, type DeliveryReport, type Notifier, type NotifierDeps } from './notifier.js';
export { notifySettingsFrom } from './settings.js';
