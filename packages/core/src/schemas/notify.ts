import { z } from 'zod';
import { CONTROL_CHARS, IdSchema, TimestampSchema } from './common.js';
import { InsightSeveritySchema } from './orchestrator.js';

// ---- attention ----
/** What an agent session can need a person for; each is on or off per user and folder. */
export const ATTENTION_TYPES = ['permission', 'question', 'turn_finished', 'stalled', 'errored', 'exited'] as const;
export const AttentionTypeSchema = z.enum(ATTENTION_TYPES);
export type AttentionType = z.infer<typeof AttentionTypeSchema>;

/**
 * Which attention types notify. Stored under `notifications` in user and folder
 * preferences; an absent type inherits from the parent folder, then the user, then on.
 */
export const NotifyPreferencesSchema = z.partialRecord(AttentionTypeSchema, z.boolean());
export type NotifyPreferences = z.infer<typeof NotifyPreferencesSchema>;

const oneLine = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL_CHARS.test(s), 'must be one line without control characters');

/** An answer a notification can carry: allow, deny, or reply with one of a question's options. */
export const NotifyActionSchema = z.union([z.enum(['allow', 'deny']), z.templateLiteral(['reply:', z.string()])]).refine(
  (a) => !a.startsWith('reply:') || oneLine(100).safeParse(a.slice('reply:'.length)).success,
  'a reply option is 1-100 characters on one line',
);
export type NotifyAction = z.infer<typeof NotifyActionSchema>;

// ---- Web Push ----
/** base64url of exactly `bytes` bytes, kept unpadded (browser-safe: no Buffer). */
const base64url = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url')
    .transform((s) => s.replace(/=+$/, ''))
    .refine((s) => s.length === Math.ceil((bytes * 4) / 3), `must encode ${bytes} bytes`);

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A push service endpoint: https, or plain http on a loopback address (a push service
 * on the same machine, as in tests) — never plain http across a network.
 */
export const PushEndpointSchema = z
  .url({ message: 'must be a URL' })
  .max(2048)
  .refine((u) => {
    const url = new URL(u);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  }, 'must be an https URL');

/** The browser's PushSubscription.toJSON(), plus a label for the device. */
export const CreatePushSubscriptionSchema = z
  .object({
    endpoint: PushEndpointSchema,
    keys: z.object({ p256dh: base64url(65), auth: base64url(16) }),
    expirationTime: z.number().nullable().optional(),
    deviceLabel: z.string().trim().max(100).refine((s) => !CONTROL_CHARS.test(s), 'must be one line').optional(),
  })
  .strip();
export type CreatePushSubscription = z.infer<typeof CreatePushSubscriptionSchema>;

/** A push subscription as the API shows it: no keys, the endpoint only by its host. */
export const PushSubscriptionSchema = z.object({
  id: IdSchema,
  deviceLabel: z.string(),
  endpointHost: z.string(),
  createdAt: TimestampSchema,
  lastSuccessAt: TimestampSchema.nullable(),
  lastFailureAt: TimestampSchema.nullable(),
});
export type PushSubscriptionInfo = z.infer<typeof PushSubscriptionSchema>;

// ---- notifications ----
/** One entry of the in-app notification centre. */
export const NotificationSchema = z.object({
  id: IdSchema,
  type: AttentionTypeSchema,
  severity: InsightSeveritySchema,
  sessionId: IdSchema.nullable(),
  sessionName: z.string().nullable(),
  insightId: IdSchema.nullable(),
  title: z.string(),
  body: z.string(),
  url: z.string(),
  /** How many events this one stands for (repeats folded into it). */
  count: z.number().int().min(1),
  read: z.boolean(),
  createdAt: TimestampSchema,
});
export type Notification = z.infer<typeof NotificationSchema>;

/** What `[notifications] webhook_url` receives (format "json"). */
export const WebhookBodySchema = z.object({
  id: IdSchema,
  type: AttentionTypeSchema,
  severity: InsightSeveritySchema,
  sessionId: IdSchema.nullable(),
  sessionName: z.string().nullable(),
  /** The session's folder path, "parent/child", or null outside folders. */
  folder: z.string().nullable(),
  title: z.string(),
  body: z.string(),
  /** Absolute when rdv knows its public address, else a path such as `/?s=<session id>`. */
  url: z.string(),
  createdAt: TimestampSchema,
});
export type WebhookBody = z.infer<typeof WebhookBodySchema>;

/** What the service worker receives in a push message. */
export const PushPayloadSchema = z.object({
  id: IdSchema,
  type: AttentionTypeSchema,
  title: z.string(),
  body: z.string(),
  url: z.string(),
  /** Notifications of one session replace each other. */
  tag: z.string(),
  sessionId: IdSchema.nullable(),
  count: z.number().int().min(1),
  actions: z.array(z.object({ action: NotifyActionSchema, title: z.string(), token: z.string() })),
});
export type PushPayload = z.infer<typeof PushPayloadSchema>;

/** POST /api/notifications/actions: an action token from a notification. */
export const NotificationActionSchema = z.object({ token: z.string().min(1).max(200) }).strict();
