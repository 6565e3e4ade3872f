import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { schema } from '../db/index.js';
import { outputDir } from '../output/index.js';
import type { RdvEvent } from '../schemas/index.js';
import { listOwnProcs, readEnviron } from '../tmux/index.js';
import { useRecordingAgents, useSessions, useTempDir, waitFor } from '../testing/index.js';

/** Every process (pid and start time) whose environment names this session: a walk of /proc. */
const procsOf = (sessionId: string) =>
  listOwnProcs()
    .filter((p) => p.state !== 'Z' && readEnviron(p.pid)?.get('RDV_SESSION_ID') === sessionId)
    .map((p) => `${p.pid}:${p.startTime}`);
const stillRunning = (procs: string[]) => {
  const now = new Set(listOwnProcs().filter((p) => p.state !== 'Z').map((p) => `${p.pid}:${p.startTime}`));
  return procs.filter((p) => now.has(p));
};
const mode = (path: string) => statSync(path).mode & 0o777;
const CLAUDE_ID = '3f2b9c1e-7a4d-4e8b-9c2f-1d5e6a7b8c9d';
const CODEX_ID = '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

describe('session output logs (real tmux)', () => {
  it('logs a session from its first byte, privately, and keeps the log after close', async () => {
    // A shell that speaks the moment it starts: its first words must be in the log.
    const shell = join(useTempDir(), 'loud-sh');
    writeFileSync(shell, '#!/bin/sh\necho first-words\nexec /bin/sh "$@"\n', { mode: 0o755 });
    const { sessions, userId, home } = useSessions('test', { shell });
    const s = await sessions.create(userId, { name: 'logged', kind: 'shell' });
    await sessions.exec(userId, s.id, 'echo "answer=$((6*7))"');
    const page = await waitFor(() => {
      const p = sessions.readOutput(userId, s.id, {});
      return p.format === 'text' && p.text.includes('answer=42') ? p : null;
    }, 'the echo in the log');
    expect(page.format === 'text' && page.text.split('\n')[0]).toBe('first-words');
    const dir = outputDir(join(home, 'sessions'), s.id);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'output.log'))).toBe(0o600);

    await sessions.close(userId, s.id);
    const after = sessions.readOutput(userId, s.id, { tail: 5 });
    expect(after.format === 'text' && after.text).toContain('answer=42');
    const raw = sessions.readOutput(userId, s.id, { format: 'raw' });
    expect(raw.format === 'raw' && raw.data.toString('utf8')).toContain('answer=42');
  });
});

describe('closing a session (real tmux, a walk of /proc)', () => {
  it('ends every process of the session: a loop its shell runs and one that ignores TERM and HUP', async () => {
    const { sessions, userId } = useSessions('test', { stopTimeoutMs: 1000 });
    const s = await sessions.create(userId, { name: 'loops', kind: 'shell' });
    await sessions.exec(userId, s.id, "(trap '' TERM HUP; while :; do sleep 0.2; done) & while :; do sleep 0.2; done");
    const before = await waitFor(() => (procsOf(s.id).length >= 4 ? procsOf(s.id) : null), 'the loops to run');
    const t0 = Date.now();
    const closed = await sessions.close(userId, s.id);
    expect(closed.status).toBe('closed');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(stillRunning(before)).toEqual([]);
    expect(procsOf(s.id)).toEqual([]);
  });
});

describe('lost sessions (real tmux server killed under running sessions)', () => {
  it('come back: a shell in its cwd with its earlier output, agents resuming their own conversation; ended ones stay ended', async () => {
    const { sessions, tmux, userId, db, events } = useSessions();
    const agents = useRecordingAgents({ claude: CLAUDE_ID, codex: CODEX_ID });
    // By absolute path: the login shell sets PATH anew (the api test puts them on PATH through ~/.profile).
    const at = (name: string) => join(agents.bin, name);
    const cwd = useTempDir();
    const seen: RdvEvent[] = [];
    events.subscribe(userId, (e) => seen.push(e));

    const shell = await sessions.create(userId, { name: 'shell', kind: 'shell', cwd });
    await sessions.exec(userId, shell.id, "echo before-crash; (trap '' HUP TERM; while :; do sleep 0.2; done) &");
    const claude = await sessions.create(userId, { name: 'claude', kind: 'agent', agent: 'claude', command: at('claude') });
    // The id its hooks would have reported.
    db.update(schema.sessions).set({ agentSessionId: CLAUDE_ID }).where(eq(schema.sessions.id, claude.id)).run();
    const codex = await sessions.create(userId, { name: 'codex', kind: 'agent', agent: 'codex', command: at('codex') });
    const opencode = await sessions.create(userId, { name: 'opencode', kind: 'agent', agent: 'opencode', command: at('opencode') });
    const exited = await sessions.create(userId, { name: 'exited', kind: 'shell' });
    const closedByUser = await sessions.create(userId, { name: 'closed', kind: 'shell' });
    await waitFor(() => agents.starts().length === 3, 'the agents to start');
    // Codex quits and names its conversation; the shell stays.
    await waitFor(() => text(sessions.readOutput(userId, codex.id, {})).includes('codex ready'), 'codex ready');
    await sessions.exec(userId, codex.id, '/quit');
    await waitFor(() => text(sessions.readOutput(userId, codex.id, {})).includes(`codex resume ${CODEX_ID}`), 'codex exit text');
    await sessions.exec(userId, exited.id, 'exit 3');
    await waitFor(async () => (await sessions.reconcile()).closed.includes(exited.id), 'the exited shell to close');
    await sessions.close(userId, closedByUser.id);
    await waitFor(() => text(sessions.readOutput(userId, shell.id, {})).includes('before-crash'), 'the shell output');
    const leftovers = await waitFor(() => (procsOf(shell.id).length >= 3 ? procsOf(shell.id) : null), 'the shell and its loop');

    await tmux.killServer();
    const result = await sessions.reconcile();

    expect(result.restored.sort()).toEqual([shell.id, claude.id, codex.id, opencode.id].sort());
    // What ran before is gone (the loop ignored the hangup); only the new shell runs.
    expect(stillRunning(leftovers)).toEqual([]);
    expect(sessions.get(userId, exited.id)).toMatchObject({ status: 'closed', exitCode: 3, lostAt: null });
    expect(sessions.get(userId, closedByUser.id)).toMatchObject({ status: 'closed', restoredAt: null });
    for (const s of [shell, claude, codex, opencode]) {
      expect(await tmux.hasSession(s.tmuxName)).toBe(true);
      expect(sessions.get(userId, s.id)).toMatchObject({ status: 'active', lostAt: null, restoredAt: expect.any(String) });
    }
    expect(seen.filter((e) => e.type === 'session.restored').map((e) => (e.data.session as { id: string }).id).sort()).toEqual(
      [shell.id, claude.id, codex.id, opencode.id].sort(),
    );

    await waitFor(() => agents.starts().length === 6, 'the agents to start again');
    expect(agents.starts().slice(3).sort()).toEqual([`claude --resume ${CLAUDE_ID}`, `codex resume ${CODEX_ID}`, 'opencode'].sort());
    expect(sessions.get(userId, codex.id).agentSessionId).toBe(CODEX_ID);

    // The shell starts in its directory, its log continuing after the earlier output.
    await sessions.exec(userId, shell.id, 'echo "now in $(pwd)"');
    const log = await waitFor(() => {
      const t = text(sessions.readOutput(userId, shell.id, {}));
      return t.includes(`now in ${cwd}`) ? t : null;
    }, 'the restored shell to answer');
    expect(log.indexOf('before-crash')).toBeLessThan(log.indexOf(`now in ${cwd}`));
  });

  it('at start, follow [sessions] restore; the rest wait, lost, to be restored by hand (or closed for good)', async () => {
    const { sessions, tmux, userId, restart } = useSessions();
    const agents = useRecordingAgents({});
    const shell = await sessions.create(userId, { name: 'shell', kind: 'shell' });
    const other = await sessions.create(userId, { name: 'other', kind: 'shell' });
    const agent = await sessions.create(userId, { name: 'gemini', kind: 'agent', agent: 'gemini', command: join(agents.bin, 'gemini') });
    await waitFor(() => agents.starts().length === 1, 'gemini to start');
    await tmux.killServer();

    const again = restart({ restore: 'agents' });
    const result = await again.reconcile({ atStart: true });
    expect(result.restored).toEqual([agent.id]);
    expect(again.get(userId, shell.id)).toMatchObject({ status: 'closed', exitCode: null, lostAt: expect.any(String) });

    const plan = await again.restoreLost(userId, { dryRun: true });
    expect(plan.items.map((i) => [i.name, i.action, i.restored]).sort()).toEqual([
      ['other', 'shell', true],
      ['shell', 'shell', true],
    ]);
    expect(again.get(userId, shell.id).status).toBe('closed');

    // Closed by its user, a lost session stays ended.
    await again.close(userId, other.id);
    const done = await again.restoreLost(userId, { dryRun: false });
    expect(done.items.map((i) => [i.sessionId, i.restored])).toEqual([[shell.id, true]]);
    expect(again.get(userId, shell.id)).toMatchObject({ status: 'active', lostAt: null });
    expect(again.get(userId, other.id)).toMatchObject({ status: 'closed', lostAt: null });
    expect(await tmux.hasSession(shell.tmuxName)).toBe(true);
    expect((await again.restoreLost(userId, { dryRun: true })).items).toEqual([]);

    // With restore off, nothing comes back by itself.
    await tmux.killServer();
    const off = restart({ restore: 'off' });
    expect((await off.reconcile({ atStart: true })).restored).toEqual([]);
    expect(off.get(userId, agent.id)).toMatchObject({ status: 'closed', lostAt: expect.any(String) });
    expect(agents.starts()).toEqual(['gemini', 'gemini']);
  });
});

const text = (p: ReturnType<ReturnType<typeof useSessions>['sessions']['readOutput']>) => (p.format === 'text' ? p.text : '');
