import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { schema, type Db } from '../../db/index.js';
import { CreatePushSubscriptionSchema } from '../../schemas/index.js';
import { useDb } from '../../testing/index.js';
import { ACTION_TOKEN_TTL_MS, consumeActionToken, issueActionTokens, pruneActionTokens, revokeActionTokens } from './action-tokens.js';
import { addNotification, countUnread, listNotifications, markNotificationsRead, pruneNotifications } from './history.js';
import { listPushSubscriptions, pushTargetsOf, recordPushOutcome, removePushSubscription, savePushSubscription } from './subscriptions.js';

function addUser(db: Db): string {
  const id = randomUUID();
  db.insert(schema.users).values({ id, email: `${id}@example.com`, name: 'u', createdAt: new Date() }).run();
  return id;
}

const keys = { p256dh: `B${'A'.repeat(86)}`, auth: 'A'.repeat(22) };
const sub = (n: number, label?: string) =>
  CreatePushSubscriptionSchema.parse({ endpoint: `https://push.example.com/send/${n}`, keys, deviceLabel: label, expirationTime: null });

describe('push subscriptions', () => {
  it('validate what a browser hands over: https (or loopback http) endpoints, 65- and 16-byte keys', () => {
    expect(CreatePushSubscriptionSchema.safeParse({ endpoint: 'http://push.example.com/x', keys }).success).toBe(false);
    expect(CreatePushSubscriptionSchema.safeParse({ endpoint: 'http://127.0.0.1:9/x', keys }).success).toBe(true);
    expect(CreatePushSubscriptionSchema.safeParse({ endpoint: 'https://p.example/x', keys: { ...keys, auth: 'AAAA' } }).success).toBe(false);
    expect(CreatePushSubscriptionSchema.parse({ endpoint: 'https://p.example/x', keys: { ...keys, auth: `${keys.auth}==` } }).keys.auth).toBe(keys.auth);
  });

  it('are kept per user, shown without keys or endpoint path, replaced by endpoint, removed only by their owner', () => {
    const { db } = useDb();
    const [alice, bob] = [addUser(db), addUser(db)];
    const phone = savePushSubscription(db, alice, sub(1, 'Phone'));
    savePushSubscription(db, alice, sub(2));
    savePushSubscription(db, bob, sub(3, 'Bob laptop'));
    expect(phone).toMatchObject({ deviceLabel: 'Phone', endpointHost: 'push.example.com', lastSuccessAt: null });
    expect(JSON.stringify(listPushSubscriptions(db, alice))).not.toMatch(/send\/|p256dh|auth/);
    expect(listPushSubscriptions(db, alice).map((s) => s.deviceLabel)).toEqual(['Phone', 'push.example.com']);
    // The same browser subscribing again is one device, not two.
    savePushSubscription(db, alice, sub(1, 'Phone (new)'));
    expect(listPushSubscriptions(db, alice).map((s) => s.deviceLabel).sort()).toEqual(['Phone (new)', 'push.example.com']);
    expect(pushTargetsOf(db, bob)).toEqual([expect.objectContaining({ endpoint: 'https://push.example.com/send/3', keys })]);
    const bobs = listPushSubscriptions(db, bob)[0]!;
    expect(removePushSubscription(db, alice, bobs.id)).toBe(false);
    expect(removePushSubscription(db, bob, bobs.id)).toBe(true);
    expect(removePushSubscription(db, bob, bobs.id)).toBe(false);
  });

  it('record delivery outcomes, and forget a subscription the push service says is gone', () => {
    const { db } = useDb();
    const user = addUser(db);
    const a = savePushSubscription(db, user, sub(1));
    const b = savePushSubscription(db, user, sub(2));
    const at = new Date('2026-01-01T00:00:00Z');
    recordPushOutcome(db, a.id, { ok: true }, at);
    recordPushOutcome(db, b.id, { ok: false }, at);
    expect(listPushSubscriptions(db, user).map((s) => [s.lastSuccessAt, s.lastFailureAt])).toEqual([
      [at.toISOString(), null],
      [null, at.toISOString()],
    ]);
    recordPushOutcome(db, b.id, { ok: false, gone: true });
    expect(listPushSubscriptions(db, user).map((s) => s.id)).toEqual([a.id]);
  });
});

describe('notification history', () => {
  it('lists a user\'s notifications newest first, counts and marks them read, and prunes old ones', () => {
    const { db } = useDb();
    const [alice, bob] = [addUser(db), addUser(db)];
    const add = (userId: string, title: string, minute: number) =>
      addNotification(db, {
        id: randomUUID(),
        userId,
        type: 'question',
        severity: 'warning',
        sessionId: randomUUID(),
        sessionName: 'build',
        insightId: null,
        title,
        body: 'Which database?',
        url: '/?s=x',
        count: 1,
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, minute)),
      });
    const first = add(alice, 'one', 1);
    add(alice, 'two', 2);
    const third = add(alice, 'three', 3);
    add(bob, 'bob', 4);
    expect(first).toMatchObject({ read: false, type: 'question', count: 1 });
    expect(listNotifications(db, alice).map((n) => n.title)).toEqual(['three', 'two', 'one']);
    expect(listNotifications(db, alice, { limit: 2 }).map((n) => n.title)).toEqual(['three', 'two']);
    expect(listNotifications(db, alice, { before: new Date(Date.UTC(2026, 0, 1, 0, 2)) }).map((n) => n.title)).toEqual(['one']);
    expect(countUnread(db, alice)).toBe(3);
    expect(markNotificationsRead(db, alice, [first.id, third.id])).toBe(2);
    expect(markNotificationsRead(db, bob, [first.id])).toBe(0);
    expect(listNotifications(db, alice, { unreadOnly: true }).map((n) => n.title)).toEqual(['two']);
    expect(markNotificationsRead(db, alice, 'all')).toBe(1);
    expect(countUnread(db, alice)).toBe(0);
    expect(countUnread(db, bob)).toBe(1);
    expect(pruneNotifications(db, new Date(Date.UTC(2026, 0, 1, 0, 3)))).toBe(2);
    expect(listNotifications(db, alice).map((n) => n.title)).toEqual(['three']);
  });
});

describe('action tokens', () => {
  const insight = randomUUID();

  it('are stored only as digests and answer once', () => {
    const { db, sqlite } = useDb();
    const user = addUser(db);
    const [allow, deny] = issueActionTokens(db, { userId: user, insightId: insight, actions: ['allow', 'deny'] });
    expect(allow!.token).toMatch(/^rdv_act_[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
    const secret = allow!.token.split('.')[1]!;
    const dump = JSON.stringify(sqlite.prepare('select * from action_tokens').all());
    expect(dump).not.toContain(secret);
    expect(consumeActionToken(db, allow!.token, { userId: user, insightId: insight })).toEqual({ ok: true, userId: user, insightId: insight, action: 'allow' });
    expect(consumeActionToken(db, allow!.token)).toMatchObject({ ok: false, reason: 'used', message: 'This action was already used.' });
    // One answer per insight: Deny beside the spent Allow is withdrawn.
    expect(consumeActionToken(db, deny!.token)).toMatchObject({ ok: false, reason: 'revoked' });
  });

  it('refuse a stale, forged, other-insight or other-user token with a clear reason, and leave it unspent', () => {
    const { db } = useDb();
    const [user, other] = [addUser(db), addUser(db)];
    const now = new Date('2026-01-01T00:00:00Z');
    const [reply] = issueActionTokens(db, { userId: user, insightId: insight, actions: ['reply:Postgres'], now });
    const token = reply!.token;
    const later = new Date(now.getTime() + ACTION_TOKEN_TTL_MS);
    expect(consumeActionToken(db, token, {}, later)).toMatchObject({ ok: false, reason: 'expired', message: expect.stringMatching(/too old/) });
    const inTime = new Date(now.getTime() + 60_000);
    expect(consumeActionToken(db, token, { insightId: randomUUID() }, inTime)).toMatchObject({ ok: false, reason: 'wrong_insight' });
    expect(consumeActionToken(db, token, { userId: other }, inTime)).toMatchObject({ ok: false, reason: 'invalid' });
    const forged = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    expect(consumeActionToken(db, forged, {}, inTime)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(consumeActionToken(db, 'rdv_act_nonsense', {}, inTime)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(consumeActionToken(db, token, { userId: user, insightId: insight }, inTime)).toEqual({ ok: true, userId: user, insightId: insight, action: 'reply:Postgres' });
  });

  it('are revoked when the insight is settled elsewhere, and pruned a day after expiry', () => {
    const { db } = useDb();
    const user = addUser(db);
    const now = new Date('2026-01-01T00:00:00Z');
    const [allow] = issueActionTokens(db, { userId: user, insightId: insight, actions: ['allow'], now });
    expect(revokeActionTokens(db, insight, now)).toBe(1);
    expect(consumeActionToken(db, allow!.token, {}, now)).toMatchObject({ ok: false, reason: 'revoked', message: expect.stringMatching(/moved on/) });
    issueActionTokens(db, { userId: user, insightId: randomUUID(), actions: ['deny'], now });
    expect(pruneActionTokens(db, new Date(now.getTime() + ACTION_TOKEN_TTL_MS - 1))).toBe(0);
    expect(pruneActionTokens(db, new Date(now.getTime() + ACTION_TOKEN_TTL_MS + 1))).toBe(2);
  });
});
