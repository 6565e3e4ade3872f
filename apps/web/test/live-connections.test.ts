// What a sign-in opened ends with it: the edge's registry of open event streams and bridges.
import { createSilentLogger } from '@rdv/core/log';
import { describe, expect, it } from 'vitest';
import { createLiveConnections } from '../src/server/live-connections.js';

const USER = '6f1c2b9a-1d2e-4f3a-8b4c-5d6e7f809a1b';

describe('live connections', () => {
  it('closes what an expired Access token, a token that stops verifying, or an ended sign-in opened', async () => {
    let active = ['s-1', 's-2'];
    let verifies = true;
    const live = createLiveConnections({
      activeLoginSessions: async (ids) => ids.filter((id) => active.includes(id)),
      verifyAccess: async () => verifies,
      checkEveryMs: 60_000,
      reverifyEveryMs: 0,
      log: createSilentLogger(),
    });
    const closed: string[] = [];
    const open = (name: string, credential: Parameters<typeof live.add>[0]['credential'], kind: 'events' | 'terminal' = 'terminal') =>
      live.add({ userId: USER, kind, credential, close: (reason) => closed.push(`${name}: ${reason}`) });
    open('expired', { kind: 'access', token: 'a', expiresAtMs: Date.now() - 1 });
    open('fresh', { kind: 'access', token: 'b', expiresAtMs: Date.now() + 60_000 }, 'events');
    open('signed-in', { kind: 'login_session', id: 's-1' });
    const removeOther = open('other', { kind: 'login_session', id: 's-2' }, 'events');
    expect(live.count(USER, 'terminal')).toBe(2);
    expect(live.count(USER, 'events')).toBe(2);

    await live.check();
    expect(closed).toEqual(['expired: your Cloudflare Access sign-in expired']);
    active = ['s-2'];
    await live.check();
    expect(closed.at(-1)).toBe('signed-in: signed out');
    verifies = false;
    await live.check();
    expect(closed.at(-1)).toBe('fresh: your Cloudflare Access sign-in is no longer valid');
    removeOther();
    live.endLoginSession('s-2', 'signed out');
    expect(closed).toHaveLength(3);
    expect(live.count(USER, 'events')).toBe(0);
    live.dispose();
  });

  it('keeps connections open while the api cannot be asked', async () => {
    const live = createLiveConnections({
      activeLoginSessions: async () => {
        throw new Error('api down');
      },
      verifyAccess: async () => true,
      checkEveryMs: 60_000,
      log: createSilentLogger(),
    });
    const closed: string[] = [];
    live.add({ userId: USER, kind: 'terminal', credential: { kind: 'login_session', id: 's-1' }, close: (r) => closed.push(r) });
    await live.check();
    expect(closed).toEqual([]);
    live.endLoginSession('s-1', 'signed out');
    expect(closed).toEqual(['signed out']);
    live.dispose();
  });
});
