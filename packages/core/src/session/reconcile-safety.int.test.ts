// A tmux that cannot answer (timed out, busy, refusing connections for a moment) is not a
// tmux without sessions: reconcile must never close a session on such an answer.
import { describe, expect, it } from 'vitest';
import { testLogger, useSessions } from '../testing/index.js';
import { createTmux } from '../tmux/index.js';
import { reconcileWithTmux } from './reconcile.js';

describe('reconcile with a tmux that does not answer', () => {
  it('closes nothing when list-sessions fails or is cut short, and still closes a session that really ended', async () => {
    const { db, tmux, sessions, userId } = useSessions();
    const kept = await sessions.create(userId, { name: 'kept', kind: 'shell' });
    const ended = await sessions.create(userId, { name: 'ended', kind: 'shell' });
    const closedIds: string[] = [];
    // No exit status directory: a missing tmux session is one that ended.
    const ctx = (t: typeof tmux) => ({
      db,
      tmux: t,
      log: testLogger(),
      busy: new Set<string>(),
      markClosed: (id: string) => void closedIds.push(id),
      handleLost: async () => [],
    });
    // Killed by its timeout before it could answer (tmux may even exit 0 with nothing printed):
    // an error, not an empty list. A run that beats the 1 ms timeout sees both sessions.
    const hasty = createTmux({ socket: tmux.socket, configFile: '/dev/null', timeoutMs: 1 });
    let refused = 0;
    for (let i = 0; i < 20; i++) {
      await reconcileWithTmux(ctx(hasty)).then(
        (r) => expect(r.closed).toEqual([]),
        (err: { code?: string }) => {
          expect(err.code).toBe('unavailable');
          refused++;
        },
      );
    }
    expect(refused).toBeGreaterThan(0);
    expect(closedIds).toEqual([]);
    await tmux.killSession(`rdv-${ended.id}`);
    const result = await reconcileWithTmux(ctx(tmux));
    expect(result.closed).toEqual([ended.id]);
    expect(closedIds).toEqual([ended.id]);
    expect(sessions.get(userId, kept.id).status).toBe('active');
  });

  it('sees no sessions (and closes them) only when the tmux server is really gone', async () => {
    const { db, tmux, sessions, userId } = useSessions();
    const s = await sessions.create(userId, { name: 'gone', kind: 'shell' });
    await tmux.killServer();
    const closedIds: string[] = [];
    await reconcileWithTmux({ db, tmux, log: testLogger(), busy: new Set(), markClosed: (id) => void closedIds.push(id), handleLost: async () => [] });
    expect(closedIds).toEqual([s.id]);
  });

  it('never closes a session whose tmux session is still being started', async () => {
    const { sessions, userId } = useSessions();
    const made = [];
    for (let i = 0; i < 6; i++) {
      // A reconcile (the periodic one, or one the terminal service asks for) lands mid-create.
      const creating = sessions.create(userId, { name: `racing-${i}`, kind: 'shell' });
      const during = await sessions.reconcile();
      const s = await creating;
      expect(during.closed).toEqual([]);
      made.push(s.id);
    }
    expect((await sessions.reconcile()).closed).toEqual([]);
    for (const id of made) expect(sessions.get(userId, id).status).toBe('active');
  });
});
