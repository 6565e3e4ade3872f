import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testLogger, useDb, useTempDir } from '../testing/index.js';
import { activeLoginSessionIds, checkLoginSession, createLoginSession, endLoginSession, ensureOwner, listLoginSessions, pruneLoginSessions, revokeLoginSession, resolveUserByEmail } from './index.js';

const HOUR = 3_600_000;
const policy = { idleMs: 12 * HOUR, maxAgeMs: 30 * 24 * HOUR };

function setup() {
  const { db } = useDb();
  const owner = ensureOwner(db, { email: '', cliTokenPath: join(useTempDir(), 'cli-token'), log: testLogger() }).owner;
  return { db, owner };
}

describe('browser sign-ins', () => {
  it('are kept server side: only the digest is stored, and the secret checks back to its user', () => {
    const { db, owner } = setup();
    const t0 = Date.UTC(2030, 0, 1);
    const { secret, session } = createLoginSession(db, owner.id, policy, 'Firefox\u0007', t0);
    expect(secret).toMatch(/^rdv_web_[\w-]{43}$/);
    expect(session).toMatchObject({ state: 'active', userAgent: 'Firefox ', revokedAt: null });
    expect(JSON.stringify(db.$client.prepare('select * from login_sessions').all())).not.toContain(secret);
    expect(checkLoginSession(db, secret, policy, t0 + 1000)).toEqual({ ok: true, sessionId: session.id, userId: owner.id });
    expect(checkLoginSession(db, `${secret}x`, policy, t0)).toEqual({ ok: false, reason: 'unknown' });
    expect(checkLoginSession(db, '', policy, t0)).toEqual({ ok: false, reason: 'unknown' });
  });

  it('end after 12 idle hours, and after 30 days however much they are used', () => {
    const { db, owner } = setup();
    const t0 = Date.UTC(2030, 0, 1);
    const idle = createLoginSession(db, owner.id, policy, null, t0);
    expect(checkLoginSession(db, idle.secret, policy, t0 + 12 * HOUR - 1000).ok).toBe(true);
    // Used a moment ago: the idle clock started again.
    expect(checkLoginSession(db, idle.secret, policy, t0 + 24 * HOUR - 2000).ok).toBe(true);
    expect(checkLoginSession(db, idle.secret, policy, t0 + 36 * HOUR)).toMatchObject({ ok: false, reason: 'expired' });

    const busy = createLoginSession(db, owner.id, policy, null, t0);
    let at = t0;
    while (at < t0 + 30 * 24 * HOUR - 6 * HOUR) {
      at += 6 * HOUR;
      expect(checkLoginSession(db, busy.secret, policy, at).ok).toBe(true);
    }
    expect(checkLoginSession(db, busy.secret, policy, t0 + 30 * 24 * HOUR)).toMatchObject({ ok: false, reason: 'expired' });
    expect(activeLoginSessionIds(db, [idle.session.id, busy.session.id], policy, t0 + 30 * 24 * HOUR)).toEqual([]);
  });

  it('are listed per user, revoked (idempotent, not across users), ended by sign-out and pruned', () => {
    const { db, owner } = setup();
    const other = resolveUserByEmail(db, 'grace@example.com');
    const a = createLoginSession(db, owner.id, policy);
    const b = createLoginSession(db, owner.id, policy);
    const theirs = createLoginSession(db, other.id, policy);
    expect(listLoginSessions(db, owner.id, policy).map((s) => s.id).sort()).toEqual([a.session.id, b.session.id].sort());
    expect(() => revokeLoginSession(db, owner.id, theirs.session.id, policy)).toThrow(/not found/);
    expect(revokeLoginSession(db, owner.id, a.session.id, policy).state).toBe('revoked');
    expect(revokeLoginSession(db, owner.id, a.session.id, policy).state).toBe('revoked');
    expect(checkLoginSession(db, a.secret, policy)).toMatchObject({ ok: false, reason: 'revoked' });
    expect(endLoginSession(db, b.secret)).toEqual({ id: b.session.id, userId: owner.id });
    expect(endLoginSession(db, b.secret)).toBeNull();
    expect(checkLoginSession(db, b.secret, policy).ok).toBe(false);
    expect(activeLoginSessionIds(db, [a.session.id, b.session.id, theirs.session.id], policy)).toEqual([theirs.session.id]);
    expect(pruneLoginSessions(db, new Date(Date.now() + 1000))).toBe(2);
    expect(listLoginSessions(db, owner.id, policy)).toEqual([]);
  });
});
