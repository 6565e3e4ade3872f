import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testLogger, useHttpSink, usePushEndpoint, useTempDir } from '../../testing/index.js';
import { createPushSender } from './push.js';
import { loadVapidKeys, vapidSubject } from './vapid.js';

const options = { ttlSeconds: 600, urgency: 'high', topic: 'abc123' } as const;

function setup() {
  const serverDir = join(useTempDir(), 'server');
  const vapid = loadVapidKeys(serverDir, 'mailto:owner@example.com');
  return { serverDir, vapid, sender: createPushSender({ vapid, log: testLogger(), timeoutMs: 2000 }) };
}

describe('VAPID keys', () => {
  it('are made on first use in server/vapid.json (0600, dir 0700) and read back afterwards', () => {
    const { serverDir, vapid } = setup();
    const path = join(serverDir, 'vapid.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(serverDir).mode & 0o777).toBe(0o700);
    expect(vapid.publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ publicKey: vapid.publicKey, privateKey: vapid.privateKey });
    expect(loadVapidKeys(serverDir, 'mailto:x@example.com')).toEqual({ ...vapid, subject: 'mailto:x@example.com' });
  });

  it('narrow a file others can read back to 0600 and refuse a malformed one', () => {
    const { serverDir } = setup();
    const path = join(serverDir, 'vapid.json');
    chmodSync(path, 0o644);
    loadVapidKeys(serverDir, 'mailto:x@example.com');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    writeFileSync(path, '{"publicKey":"nope"}');
    expect(() => loadVapidKeys(serverDir, 'mailto:x@example.com')).toThrow(/not a VAPID key file/);
  });

  it('take the subject from the setting, else the owner email', () => {
    expect(vapidSubject('https://rdv.example.com', 'me@example.com')).toBe('https://rdv.example.com');
    expect(vapidSubject('', 'me@example.com')).toBe('mailto:me@example.com');
    expect(vapidSubject('', '')).toMatch(/^mailto:/);
  });
});

describe('push sender', () => {
  it('delivers a payload the subscription decrypts (RFC 8291), signed with the VAPID key, with TTL, urgency and topic', async () => {
    const { vapid, sender } = setup();
    const push = await usePushEndpoint();
    const sub = push.subscribe();
    const payload = JSON.stringify({ title: 'build needs your permission', body: 'é'.repeat(300) });
    expect(await sender.send(sub, payload, options)).toEqual({ ok: true, status: 201 });
    expect(push.rejected).toEqual([]);
    expect(push.messages).toHaveLength(1);
    const got = push.messages[0]!;
    expect(got.payload).toBe(payload);
    expect(got).toMatchObject({ subscriptionId: sub.id, ttl: 600, urgency: 'high', topic: 'abc123' });
    expect(got.vapid).toMatchObject({ publicKey: vapid.publicKey, aud: push.origin, sub: 'mailto:owner@example.com' });
  });

  it('a body for other keys does not decrypt: the push service refuses it and the subscription stays', async () => {
    const { sender } = setup();
    const push = await usePushEndpoint();
    const sub = push.subscribe();
    const other = push.subscribe();
    const result = await sender.send({ endpoint: sub.endpoint, keys: other.keys }, 'hello', options);
    expect(result).toMatchObject({ ok: false, status: 400, gone: false });
    expect(push.rejected[0]?.reason).toMatch(/cannot decrypt/);
    expect(push.messages).toEqual([]);
  });

  it('reports 404 and 410 as gone, other failures as not', async () => {
    const { sender } = setup();
    const push = await usePushEndpoint();
    const results = [];
    for (const status of [404, 410, 500]) {
      const sub = push.subscribe();
      push.respondWith(sub.id, status);
      results.push(await sender.send(sub, 'x', options));
    }
    expect(results.map((r) => !r.ok && [r.status, r.gone])).toEqual([[404, true], [410, true], [500, false]]);
  });

  it('never throws: an unreachable or silent push service is a failed result', async () => {
    const { sender } = setup();
    const push = await usePushEndpoint();
    const sub = push.subscribe();
    await push.close();
    expect(await sender.send(sub, 'x', options)).toMatchObject({ ok: false, status: null, gone: false });
    const slow = await useHttpSink();
    slow.delayMs = 5000;
    const quick = createPushSender({ vapid: setup().vapid, log: testLogger(), timeoutMs: 200 });
    const started = Date.now();
    expect(await quick.send({ ...sub, endpoint: slow.url }, 'x', options)).toMatchObject({ ok: false, status: null });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
