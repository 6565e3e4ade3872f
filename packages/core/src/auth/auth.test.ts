import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { schema } from '../db/index.js';
import { testLogger, useDb, useTempDir } from '../testing/index.js';
import {
  createLoginLink,
  createRateLimiter,
  createToken,
  ensureOwner,
  listTokens,
  openServiceTokenStore,
  redeemLoginLink,
  resolveUserByEmail,
  revokeToken,
  safeEqual,
  verifyToken,
} from './index.js';

const mode = (p: string) => statSync(p).mode & 0o777;

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
    expect(ok).toEqual({ ok: true, token: { tokenId: record.id, userId: owner.id, kind: 'api_key' } });
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
