import {
  countUnread,
  listNotifications,
  listPushSubscriptions,
  markNotificationsRead,
  removePushSubscription,
  savePushSubscription,
} from '@rdv/core/notify';
import { AppError } from '@rdv/core/errors';
import {
  CreatePushSubscriptionSchema,
  IdSchema,
  NotificationActionSchema,
  NotificationSchema,
  PushSubscriptionSchema,
  listOf,
  parseInput,
} from '@rdv/core/schemas';
import { z } from 'zod';
import { auditAs, type AuthContext } from '../context.js';
import { defineRoute, type RouteDef } from '../route.js';
import type { RouteDeps } from './table.js';

const tag = 'notifications';

const ListQuerySchema = z
  .object({
    unread: z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1').optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    before: z.iso.datetime().optional().describe('entries older than this (the last createdAt of the previous page)'),
  })
  .strict();
const ReadSchema = z
  .object({ ids: z.array(IdSchema).min(1).max(500).optional(), all: z.literal(true).optional() })
  .strict()
  .refine((v) => (v.ids ? !v.all : v.all), 'give ids or all: true');
const AnswerSchema = z.object({ insightId: IdSchema, sessionId: IdSchema, action: z.string(), sent: z.literal(true) });
const TestResultSchema = z.object({
  notification: NotificationSchema,
  push: z.object({ sent: z.number().int(), failed: z.number().int(), removed: z.number().int() }),
  webhook: z.boolean().nullable().describe('null: no webhook configured'),
});

/** /api/notifications: the notification centre, Web Push devices, answers from notifications, a test. */
export function notificationRoutes(deps: RouteDeps): RouteDef[] {
  const db = deps.db.db;
  const { notifier, vapidPublicKey } = deps.notifications;
  const actor = (auth: AuthContext) => ({ userId: auth.user.id, tokenId: auth.tokenId, authMethod: auth.method });

  return [
    defineRoute({
      method: 'get',
      path: '/api/notifications',
      tag,
      summary: 'The notification centre, newest first, with the unread count (?unread=true, ?limit=, ?before=)',
      query: ListQuerySchema,
      response: listOf(NotificationSchema).extend({ unread: z.number().int() }),
      handler: ({ auth, query }) => ({
        items: listNotifications(db, auth.user.id, { unreadOnly: query.unread, limit: query.limit, before: query.before ? new Date(query.before) : undefined }),
        unread: countUnread(db, auth.user.id),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/notifications/read',
      tag,
      summary: 'Mark notifications read: {ids: [...]} or {all: true}',
      body: ReadSchema,
      response: z.object({ updated: z.number().int(), unread: z.number().int() }),
      handler: ({ auth, body }) => {
        const updated = markNotificationsRead(db, auth.user.id, body.all ? 'all' : body.ids!);
        const unread = countUnread(db, auth.user.id);
        if (updated) deps.events.publish(auth.user.id, 'notification.read', { ids: body.all ? 'all' : body.ids, unread });
        return { updated, unread };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/notifications/vapid-public-key',
      tag,
      summary: "The server's VAPID public key, for PushManager.subscribe({applicationServerKey})",
      response: z.object({ publicKey: z.string() }),
      handler: () => ({ publicKey: vapidPublicKey }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/notifications/subscriptions',
      tag,
      summary: 'Your devices subscribed to Web Push (endpoints shown by host only)',
      response: listOf(PushSubscriptionSchema),
      handler: ({ auth }) => ({ items: listPushSubscriptions(db, auth.user.id) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/notifications/subscriptions',
      tag,
      summary: "Subscribe this device: the browser's PushSubscription.toJSON() and a device label",
      body: CreatePushSubscriptionSchema,
      response: PushSubscriptionSchema,
      status: 201,
      handler: ({ auth, body }) => {
        const saved = savePushSubscription(db, auth.user.id, body);
        auditAs(deps, auth, 'notifications.subscribe', saved.id, { host: saved.endpointHost });
        return saved;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/notifications/subscriptions/:id',
      tag,
      summary: 'Remove a device (idempotent)',
      response: z.object({ id: z.string(), deleted: z.boolean() }),
      handler: ({ auth, params }) => {
        const id = parseInput(IdSchema, params.id, 'id');
        const deleted = removePushSubscription(db, auth.user.id, id);
        if (deleted) auditAs(deps, auth, 'notifications.unsubscribe', id);
        return { id, deleted };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/notifications/actions',
      tag,
      summary:
        "Answer the agent from a notification ({token} of its Allow, Deny or Reply action): single use, 10 minutes, and only while what it answers is still open; typed through the audited inject path",
      body: NotificationActionSchema,
      response: AnswerSchema,
      sensitive: true,
      handler: async ({ auth, body }) => {
        const answered = await deps.orchestrator.answerNotification(actor(auth), body.token);
        return { insightId: answered.insightId, sessionId: answered.sessionId, action: answered.action, sent: true as const };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/notifications/test',
      tag,
      summary: 'Send a test notification to your devices and the webhook now (quiet hours and the hourly cap do not apply)',
      response: TestResultSchema,
      sensitive: true,
      handler: async ({ auth }) => {
        const report = await notifier.test(auth.user.id).catch((err: unknown) => {
          throw new AppError('internal', 'the test notification could not be sent', { cause: err });
        });
        return report;
      },
    }),
  ];
}
