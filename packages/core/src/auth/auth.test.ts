import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { schema } from '../db/index.js';
import { testLogger, useDb, useTempDir, waitFor } from '../testing/index.js';
import {
  authError,
  createLoginLink,
  createRequestAuthenticator,
  createRateLimiter,
  createToken,
  ensureOwner,
  listAudit,
  queueAudit,
  listTokens,
  openServiceTokenStore,
  redeemLoginLink,
  resolveUserByEmail,
  revokeToken,
  safeEqual,
  verifyToken,
} from './index.js';

const mode = (p: string) => statSync(p).mode & 0o777;

describe('audit rows queued together', () => {
  it('are written together a moment later, and seen at once by whoever lists them', async () => {
    const { db, sqlite } = useDb();
    const count = () => (sqlite.prepare("select count(*) as n from audit_log where action = 'queued'").get() as { n: number }).n;
    for (let i = 0; i < 3; i++) queueAudit(db, { action: 'queued', outcome: 'ok', userId: 'u1', target: `t${i}` });
    expect(count()).toBe(0);
    expect(listAudit(db, 'u1').map((r) => r.target)).toEqual(['t2', 't1', 't0']);
    queueAudit(db, { action: 'queued', outcome: 'ok', userId: 'u1', target: 't3' });
    await waitFor(() => count() === 4, 'the queued row written');
  });
});

describe('CLI tokens and API keys', () => {
  it('stores only a SHA-256 digest and verifies the secret', () => {
    const { db } = useDb();
    const owner = ensureOwner(db, { email: '', cliTokenPath: join(useTempDir(), 'cli-token'), log: testLogger() }).owner;
    const { token, record } = createToken(db, { userId: owner.id, kind: 'api_key', name: 'mcp' });
    expect(token).toMatch(/^rdv_key_[A-Za-z0-9_-]{43}$/);
    const row = db.select().from(schema.tokens).where(eq(schema.tokens.id, record.id)).get()!;
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token);
    const ok = verifyToken(db, token);
    expect(ok).toEqual({ ok: true, token: { tokenId: record.id, userId: owner.id, kind: 'api_key', expiresAt: null } });
    expect(verifyToken(db, `${token}x`).ok).toBe(false);
    expect(verifyToken(db, '').ok).toBe(false);
  });

  it('records last use, honours expiry and revocation (idempotent, per user)', () => {
    const { db } = useDb();
    const owner = ensureOwner(db, { email: '', cliTokenPath: join(useTempDir(), 'cli-token'), log: testLogger() }).owner;
    const other = resolveUserByEmail(db, 'other@example.com');
    const t = createToken(db, { userId: owner.id, kind: 'cli', name: 'laptop', expiresAt: new Date(Date.now() + 60_000) });
    verifyToken(db, t.token);
    expect(listTokens(db, owner.id).find((x) => x.id === t.record.id)?.lastUsedAt).not.toBeNull();
    expect(verifyToken(db, t.token, new Date(Date.now() + 120_000))).toMatchObject({ ok: false, reason: 'expired' });
    expect(() => revokeToken(db, other.id, t.record.id)).toThrow(/not found/);
    expect(revokeToken(db, owner.id, t.record.id).revokedAt).not.toBeNull();
    expect(revokeToken(db, owner.id, t.record.id).revokedAt).not.toBeNull();
    expect(verifyToken(db, t.token)).toMatchObject({ ok: false, reason: 'revoked' });
  });

  it('compares in constant time regardless of length', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});

describe('owner and cli-token', () => {
  it('creates the owner once and writes a working cli-token with mode 0600', () => {
    const { db } = useDb();
    const dir = useTempDir();
    const path = join(dir, 'cli-token');
    const first = ensureOwner(db, { email: 'Me@Example.com', cliTokenPath: path, log: testLogger() });
    expect(first.createdUser).toBe(true);
    expect(first.owner.email).toBe('me@example.com');
    expect(mode(path)).toBe(0o600);
    const secret = readFileSync(path, 'utf8').trim();
    expect(verifyToken(db, secret)).toMatchObject({ ok: true, token: { userId: first.owner.id } });
    const second = ensureOwner(db, { email: 'me@example.com', cliTokenPath: path, log: testLogger() });
    expect(second).toMatchObject({ createdUser: false, wroteCliToken: false });
    expect(readFileSync(path, 'utf8').trim()).toBe(secret);
    // A browser login with the owner's email is the owner.
    expect(resolveUserByEmail(db, 'ME@example.com').id).toBe(first.owner.id);
  });

  it('replaces a cli-token that no longer verifies', () => {
    const { db } = useDb();
    const path = join(useTempDir(), 'cli-token');
    ensureOwner(db, { email: '', cliTokenPath: path, log: testLogger() });
    writeFileSync(path, 'rdv_cli_garbage\n');
    const again = ensureOwner(db, { email: '', cliTokenPath: path, log: testLogger() });
    expect(again.wroteCliToken).toBe(true);
    expect(verifyToken(db, readFileSync(path, 'utf8').trim()).ok).toBe(true);
  });
});

describe('service token', () => {
  it('is 256-bit, 0600, and survives rotation for the grace period', () => {
    const dir = useTempDir();
    const path = join(dir, 'server', 'service-token');
    const store = openServiceTokenStore(path, { create: true, graceMs: 1000 });
    const first = store.current();
    expect(Buffer.from(first, 'base64url')).toHaveLength(32);
    expect(mode(path)).toBe(0o600);
    expect(mode(join(dir, 'server'))).toBe(0o700);
    expect(store.verify(first)).toBe(true);
    expect(store.verify('nope')).toBe(false);
    const t0 = Date.now();
    store.rotate(t0);
    const second = store.current();
    expect(second).not.toBe(first);
    expect(store.verify(second)).toBe(true);
    expect(store.verify(first, t0 + 500)).toBe(true);
    expect(store.verify(first, t0 + 1500)).toBe(false);
    // Another process (a second store on the same file) sees the rotation.
    const reader = openServiceTokenStore(path, { create: false, graceMs: 1000 });
    expect(reader.current()).toBe(second);
  });
});

describe('login links', () => {
  it('are one-time', () => {
    const { db } = useDb();
    const owner = ensureOwner(db, { email: '', cliTokenPath: join(useTempDir(), 'cli-token'), log: testLogger() }).owner;
    const { code } = createLoginLink(db, owner.id);
    expect(redeemLoginLink(db, code)?.id).toBe(owner.id);
    expect(redeemLoginLink(db, code)).toBeNull();
    expect(redeemLoginLink(db, 'made-up')).toBeNull();
    const expired = createLoginLink(db, owner.id, -1);
    expect(redeemLoginLink(db, expired.code)).toBeNull();
  });
});

describe('rate limiter', () => {
  it('allows a burst, then asks to wait, then refills', () => {
    const rl = createRateLimiter({ perMinute: 60, burst: 2 });
    expect(rl.take('a', 0)).toBe(0);
    expect(rl.take('a', 0)).toBe(0);
    expect(rl.take('a', 0)).toBeGreaterThan(0);
    expect(rl.take('b', 0)).toBe(0);
    expect(rl.take('a', 1000)).toBe(0);
  });
});

describe('request authentication', () => {
  const setup = (limits: { requestsPerMinute?: number; sensitivePerMinute?: number; authFailuresPerMinute?: number } = {}) => {
    const handle = useDb();
    const { db } = handle;
    const dir = useTempDir();
    const owner = ensureOwner(db, { email: '', cliTokenPath: join(dir, 'cli-token'), log: testLogger() }).owner;
    const store = openServiceTokenStore(join(dir, 'server', 'service-token'), { create: true, graceMs: 0 });
    const auth = createRequestAuthenticator({
      db,
      serviceToken: store,
      log: testLogger(),
      service: 'test',
      limits: { requestsPerMinute: 100, sensitivePerMinute: 100, authFailuresPerMinute: 100, ...limits },
    });
    const denials = () => handle.sqlite.prepare("select user_id as userId, target, detail from audit_log where action = 'auth' and outcome = 'denied'").all() as Array<{ userId: string | null; target: string; detail: string }>;
    return { db, owner, store, auth, denials, dir };
  };
  const target = 'GET /x';

  it('names the caller: the edge for a user, the edge alone, a CLI token, an API key', () => {
    const { db, owner, store, auth } = setup();
    const edge = { 'x-rdv-service-token': store.current(), 'x-rdv-user-id': owner.id };
    expect(auth.authenticate(edge, { target })).toEqual({ ok: true, user: owner, method: 'service', tokenId: store.currentId() });
    expect(auth.authenticate({ 'x-rdv-service-token': store.current() }, { target, require: 'service' })).toEqual({
      ok: true,
      user: null,
      method: 'service',
      tokenId: store.currentId(),
    });
    const cli = createToken(db, { userId: owner.id, kind: 'cli', name: 'c' });
    expect(auth.authenticate({ authorization: `Bearer ${cli.token}` }, { target })).toEqual({ ok: true, user: owner, method: 'cli', tokenId: cli.record.id });
    const key = createToken(db, { userId: owner.id, kind: 'api_key', name: 'k' });
    expect(auth.authenticate({ authorization: `bearer ${key.token}` }, { target })).toMatchObject({ ok: true, method: 'api_key', tokenId: key.record.id });
  });

  it('refuses every bad credential as unauthorized, audited without a user and without the secret', () => {
    const { db, owner, store, auth, denials } = setup();
    const revoked = createToken(db, { userId: owner.id, kind: 'cli', name: 'old' });
    revokeToken(db, owner.id, revoked.record.id);
    const cases: Array<[Record<string, string>, RegExp, 'user' | 'service']> = [
      [{}, /missing credentials/, 'user'],
      [{ authorization: 'Basic abc' }, /Bearer <token>/, 'user'],
      [{ authorization: 'Bearer rdv_cli_forged' }, /invalid token/, 'user'],
      [{ authorization: `Bearer ${revoked.token}` }, /revoked/, 'user'],
      [{ 'x-rdv-service-token': 'wrong', 'x-rdv-user-id': owner.id }, /invalid service token/, 'user'],
      [{ 'x-rdv-service-token': store.current() }, /X-RDV-User-ID/, 'user'],
      [{ 'x-rdv-service-token': store.current(), 'x-rdv-user-id': '00000000-0000-4000-8000-000000000000' }, /unknown user/, 'user'],
      [{ authorization: `Bearer ${createToken(db, { userId: owner.id, kind: 'cli', name: 'c' }).token}` }, /needs the service token/, 'service'],
    ];
    for (const [headers, message, require] of cases) {
      const result = auth.authenticate(headers, { target, require });
      expect(result, JSON.stringify(headers)).toEqual({ ok: false, code: 'unauthorized', message: expect.stringMatching(message) });
    }
    const rows = denials();
    expect(rows).toHaveLength(cases.length);
    expect(rows.every((r) => r.userId === null && r.target === target && JSON.parse(r.detail).service === 'test')).toBe(true);
    expect(rows.some((r) => JSON.parse(r.detail).tokenId === revoked.record.id)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(store.current());
    expect(JSON.stringify(rows)).not.toContain(revoked.token);
  });

  it('remembers a verified token for a moment, but never past a revocation here, its expiry, or a second after one elsewhere', async () => {
    const { db, owner, auth } = setup();
    const as = (token: string) => auth.authenticate({ authorization: `Bearer ${token}` }, { target });
    const a = createToken(db, { userId: owner.id, kind: 'api_key', name: 'a' });
    expect(as(a.token)).toMatchObject({ ok: true, tokenId: a.record.id });
    // Revoked by this process: refused at once.
    revokeToken(db, owner.id, a.record.id);
    expect(as(a.token)).toMatchObject({ ok: false, message: expect.stringMatching(/revoked/) });
    // Revoked by another process (its row written directly): refused within a second.
    const b = createToken(db, { userId: owner.id, kind: 'api_key', name: 'b' });
    expect(as(b.token)).toMatchObject({ ok: true });
    db.update(schema.tokens).set({ revokedAt: new Date() }).where(eq(schema.tokens.id, b.record.id)).run();
    await waitFor(() => !as(b.token).ok, 'the revocation seen', 3000);
    // Expiring while remembered: refused once it has expired.
    const c = createToken(db, { userId: owner.id, kind: 'api_key', name: 'c', expiresAt: new Date(Date.now() + 300) });
    expect(as(c.token)).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 350));
    expect(as(c.token)).toMatchObject({ ok: false, message: expect.stringMatching(/expired/) });
  });

  it('treats a missing service-token file as a wrong token, not a fault', () => {
    const { db, owner } = setup();
    const auth = createRequestAuthenticator({
      db,
      serviceToken: openServiceTokenStore(join(useTempDir(), 'service-token'), { create: false, graceMs: 0 }),
      log: testLogger(),
      service: 'test',
      limits: { requestsPerMinute: 10, authFailuresPerMinute: 10 },
    });
    expect(auth.authenticate({ 'x-rdv-service-token': 'x', 'x-rdv-user-id': owner.id }, { target })).toMatchObject({ ok: false, code: 'unauthorized' });
  });

  it('backs off repeated failures per source, and audits every one, throttled or not', () => {
    const { auth, denials } = setup({ authFailuresPerMinute: 3 });
    const results = Array.from({ length: 5 }, () => auth.authenticate({ authorization: 'Bearer nope' }, { target }));
    expect(results.slice(0, 3).map((r) => r.ok || r.code)).toEqual(['unauthorized', 'unauthorized', 'unauthorized']);
    const last = results[4]!;
    expect(last).toMatchObject({ ok: false, code: 'rate_limited', retryAfterMs: expect.any(Number) });
    expect(!last.ok && last.retryAfterMs).toBeGreaterThan(0);
    // Another source is not punished for the first one's failures.
    expect(auth.authenticate({ authorization: 'Bearer another' }, { target })).toMatchObject({ ok: false, code: 'unauthorized' });
    expect(auth.authenticate({}, { target })).toMatchObject({ ok: false, code: 'unauthorized' });
    expect(denials()).toHaveLength(7);
  });

  it('limits each token, and each user behind the edge, on its own; sensitive requests also on the sensitive limit', () => {
    const { db, owner, store, auth } = setup({ requestsPerMinute: 2, sensitivePerMinute: 1 });
    const a = { authorization: `Bearer ${createToken(db, { userId: owner.id, kind: 'cli', name: 'a' }).token}` };
    const b = { authorization: `Bearer ${createToken(db, { userId: owner.id, kind: 'cli', name: 'b' }).token}` };
    expect(auth.authenticate(a, { target, sensitive: true }).ok).toBe(true);
    expect(auth.authenticate(a, { target, sensitive: true })).toMatchObject({ ok: false, code: 'rate_limited', retryAfterMs: expect.any(Number) });
    expect(auth.authenticate(a, { target })).toMatchObject({ ok: false, code: 'rate_limited' });
    expect(auth.authenticate(b, { target }).ok).toBe(true);
    const other = resolveUserByEmail(db, 'other@example.com');
    const edge = (userId: string) => ({ 'x-rdv-service-token': store.current(), 'x-rdv-user-id': userId });
    expect(auth.authenticate(edge(owner.id), { target }).ok).toBe(true);
    expect(auth.authenticate(edge(owner.id), { target }).ok).toBe(true);
    expect(auth.authenticate(edge(owner.id), { target }).ok).toBe(false);
    expect(auth.authenticate(edge(other.id), { target }).ok).toBe(true);
  });

  it('audits a caller\'s success once a minute, and turns a refusal into an AppError with Retry-After', () => {
    const { db, owner, auth } = setup();
    const cli = createToken(db, { userId: owner.id, kind: 'cli', name: 'c' });
    for (let i = 0; i < 3; i++) auth.authenticate({ authorization: `Bearer ${cli.token}` }, { target });
    expect(listAudit(db, owner.id).filter((e) => e.action === 'auth' && e.outcome === 'ok' && e.tokenId === cli.record.id)).toHaveLength(1);
    const error = authError({ ok: false, code: 'rate_limited', message: 'slow down', retryAfterMs: 1500 });
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, message: 'slow down', retryAfterMs: 1500 });
    expect(authError({ ok: false, code: 'unauthorized', message: 'no' }).retryAfterMs).toBeUndefined();
  });
});
