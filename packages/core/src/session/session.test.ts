import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createProcReader } from '../orchestrator/index.js';
import { resolveUserByEmail } from '../auth/index.js';
import { useSessions, useTempDir, waitFor } from '../testing/index.js';

const setup = () => useSessions();

describe('sessions (real tmux)', () => {
  it('creates a shell, runs a command and reads the scrollback', async () => {
    const { sessions, tmux, userId, home } = setup();
    const s = await sessions.create(userId, { name: 'build', kind: 'shell' });
    expect(s).toMatchObject({ name: 'build', kind: 'shell', status: 'active', cwd: home, tmuxName: `rdv-${s.id}` });
    expect(await tmux.hasSession(s.tmuxName)).toBe(true);
    await sessions.exec(userId, s.id, 'echo "id=$RDV_SESSION_ID"');
    const out = await waitFor(async () => {
      const sb = await sessions.scrollback(userId, s.id, 100);
      return sb.text.includes(`id=${s.id}\n`) ? sb : null;
    }, 'exec output');
    expect(out.lines).toBeGreaterThan(0);
    expect(sessions.find(userId, 'build').id).toBe(s.id);
  });

  it('starts an agent command in the shell and inherits folder defaults', async () => {
    const { sessions, folders, userId } = setup();
    const dir = useTempDir();
    const folder = folders.create(userId, { name: 'proj', defaultCwd: dir, env: { PROJ: 'p1' } });
    const s = await sessions.create(userId, { name: 'agent', kind: 'agent', command: 'echo agent-$PROJ-started', folderId: folder.id });
    expect(s).toMatchObject({ agent: 'custom', command: 'echo agent-$PROJ-started', cwd: dir, folderId: folder.id });
    await waitFor(async () => (await sessions.scrollback(userId, s.id, 50)).text.includes('agent-p1-started'), 'agent command ran');
    await expect(sessions.create(userId, { name: 'x', kind: 'agent' })).rejects.toThrow(/which agent/);
  });

  it('refuses an agent whose command is not installed, naming it, and starts nothing', async () => {
    const { sessions, tmux, userId } = setup();
    const missing = `rdv-missing-agent-${process.pid}`;
    const emptyBin = useTempDir();
    for (const input of [
      { agent: 'custom' as const, command: `${missing} --resume`, env: {} },
      // The agent's directory is not on the PATH the session gets.
      { agent: 'custom' as const, command: missing, env: { PATH: emptyBin } },
    ]) {
      const refused = sessions.create(userId, { name: 'ghost', kind: 'agent', ...input });
      await expect(refused).rejects.toMatchObject({
        code: 'invalid_input',
        message: `"${missing}" is not installed here (not found on PATH); install it or pick another agent`,
      });
    }
    await expect(sessions.create(userId, { name: 'ghost', kind: 'agent', command: `${emptyBin}/agent` })).rejects.toThrow(
      `"${emptyBin}/agent" is not installed here (no executable file at that path)`,
    );
    expect(sessions.list(userId, { status: 'all' })).toEqual([]);
    expect(await tmux.listSessions()).toEqual([]);
    // A shell session types no command, and shell syntax is left to the shell.
    expect((await sessions.create(userId, { name: 'plain', kind: 'shell', env: { PATH: emptyBin } })).status).toBe('active');
    expect((await sessions.create(userId, { name: 'syntax', kind: 'agent', command: 'FOO=1 $HOME/agent' })).status).toBe('active');
  });

  it('starts a known agent found on the PATH the session gets, or by its login shell', async () => {
    const { sessions, userId } = setup();
    const home = useTempDir();
    const bin = join(home, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'claude'), '#!/bin/sh\necho "fake claude running with $#" args\n', { mode: 0o755 });
    const onPath = await sessions.create(userId, { name: 'on-path', kind: 'agent', agent: 'claude', env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(onPath).toMatchObject({ agent: 'claude', command: 'claude', status: 'active' });
    // Not on the environment's PATH, but the login shell's profile puts it there: it runs.
    writeFileSync(join(home, '.profile'), 'PATH="$HOME/bin:$PATH"; export PATH\n');
    const viaProfile = await sessions.create(userId, { name: 'via-profile', kind: 'agent', agent: 'claude', env: { HOME: home } });
    expect(viaProfile).toMatchObject({ agent: 'claude', command: 'claude', status: 'active' });
    await waitFor(async () => (await sessions.scrollback(userId, viaProfile.id, 50)).text.includes('fake claude running with 0 args'), 'the fake agent ran');
  });

  it('refuses a bad cwd, a taken name and another user', async () => {
    const { sessions, db, userId } = setup();
    await expect(sessions.create(userId, { name: 'a', kind: 'shell', cwd: '/definitely/not/here' })).rejects.toThrow(/does not exist/);
    const a = await sessions.create(userId, { name: 'a', kind: 'shell' });
    await expect(sessions.create(userId, { name: 'a', kind: 'shell' })).rejects.toMatchObject({ code: 'conflict' });
    const other = resolveUserByEmail(db, 'other@example.com');
    expect(() => sessions.get(other.id, a.id)).toThrow(/not found/);
    await expect(sessions.close(other.id, a.id)).rejects.toMatchObject({ code: 'not_found' });
    expect(sessions.list(other.id)).toEqual([]);
    expect(() => sessions.get(userId, 'not-a-uuid')).toThrow(/not found/);
  });

  it('renames, moves, reorders, suspends, resumes and closes idempotently', async () => {
    const { sessions, folders, tmux, userId } = setup();
    const a = await sessions.create(userId, { name: 'one', kind: 'shell' });
    const b = await sessions.create(userId, { name: 'two', kind: 'shell' });
    expect(sessions.rename(userId, a.id, 'uno').name).toBe('uno');
    expect(() => sessions.rename(userId, a.id, 'two')).toThrow(/already open/);
    const f = folders.create(userId, { name: 'f' });
    expect(sessions.move(userId, a.id, f.id).folderId).toBe(f.id);
    expect(sessions.reorder(userId, [b.id, a.id]).map((s) => s.id)).toEqual([b.id, a.id]);
    expect(sessions.suspend(userId, a.id).status).toBe('suspended');
    await expect(sessions.exec(userId, a.id, 'echo hi')).rejects.toThrow(/suspended/);
    expect((await sessions.resume(userId, a.id)).status).toBe('active');
    const closed = await sessions.close(userId, a.id);
    expect(closed.status).toBe('closed');
    expect(await tmux.hasSession(a.tmuxName)).toBe(false);
    expect((await sessions.close(userId, a.id)).status).toBe('closed');
    expect(sessions.list(userId).map((s) => s.id)).toEqual([b.id]);
    expect(sessions.list(userId, { status: 'all' })).toHaveLength(2);
    // A closed session's name is free again.
    expect((await sessions.create(userId, { name: 'uno', kind: 'shell' })).name).toBe('uno');
  });

  it('resume restarts a tmux session that vanished while suspended', async () => {
    const { sessions, tmux, userId } = setup();
    const s = await sessions.create(userId, { name: 'sleepy', kind: 'shell' });
    sessions.suspend(userId, s.id);
    await tmux.killSession(s.tmuxName);
    expect((await sessions.resume(userId, s.id)).status).toBe('active');
    expect(await tmux.hasSession(s.tmuxName)).toBe(true);
  });

  it('reconciles with tmux: gone sessions close, strays are orphans', async () => {
    const { sessions, tmux, userId, events } = setup();
    const seen: string[] = [];
    events.subscribe(userId, (e) => seen.push(e.type));
    const s = await sessions.create(userId, { name: 'doomed', kind: 'shell' });
    await tmux.newSession({ name: 'rdv-stray', cwd: '/', command: ['/bin/sh'] });
    await tmux.newSession({ name: 'someone-else', cwd: '/', command: ['/bin/sh'] });
    await tmux.killSession(s.tmuxName);
    const result = await sessions.reconcile();
    // Killed without its shell exiting, while the server runs: lost (closed, restorable by hand), not restored.
    expect(result).toMatchObject({ closed: [s.id], orphans: ['rdv-stray'], lost: [s.id], restored: [] });
    expect(sessions.get(userId, s.id)).toMatchObject({ status: 'closed', lostAt: expect.any(String) });
    expect(seen).toContain('session.closed');
    expect(await sessions.reconcile()).toMatchObject({ closed: [], orphans: ['rdv-stray'], lost: [] });
  });

  it("records the shell's exit status when it ends on its own: its code, or 128 + the signal", async () => {
    const { sessions, tmux, userId } = setup();
    for (const [command, code] of [['exit 5', 5], ['kill -KILL $$', 137]] as const) {
      const s = await sessions.create(userId, { name: `ends-${code}`, kind: 'shell' });
      await sessions.exec(userId, s.id, command);
      await waitFor(async () => !(await tmux.hasSession(s.tmuxName)), 'the shell to end');
      expect((await sessions.reconcile()).closed).toEqual([s.id]);
      expect(sessions.get(userId, s.id)).toMatchObject({ status: 'closed', exitCode: code });
    }
    // Closed by rdv (the tmux session killed): no status to report.
    const killed = await sessions.create(userId, { name: 'closed-by-us', kind: 'shell' });
    expect((await sessions.close(userId, killed.id)).exitCode).toBeNull();
  });

  it('runs the shell under the exit-status wrapper without changing what the session sees', async () => {
    const { sessions, tmux, userId } = setup();
    const s = await sessions.create(userId, { name: 'wrapped', kind: 'shell' });
    await sessions.exec(userId, s.id, 'echo "pid=$$ shell=$0 sid=$RDV_SESSION_ID"; sleep 30');
    await waitFor(async () => (await tmux.capturePane(s.tmuxName)).includes(`sid=${s.id}`), 'the echo');
    const [info] = (await tmux.listSessions()).filter((t) => t.name === s.tmuxName);
    // The agent-exited check looks past the wrapper to the shell: busy with sleep now...
    const proc = createProcReader();
    expect(proc.shellInForeground(info!.panePid)).toBe(false);
    await tmux.sendKeys(s.tmuxName, ['C-c']);
    // ...and in front again at its prompt.
    await waitFor(() => proc.shellInForeground(info!.panePid) === true, 'the shell back in front');
    expect(await tmux.capturePane(s.tmuxName)).toMatch(/shell=-?\/bin\/sh/);
  });

  it('drops exit status files a minute after their session ended', async () => {
    const { sessions, home } = setup();
    const dir = join(home, 'exit-status');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'rdv-old'), '3\n');
    writeFileSync(join(dir, 'rdv-new'), '4\n');
    const old = new Date(Date.now() - 61_000);
    utimesSync(join(dir, 'rdv-old'), old, old);
    await sessions.reconcile();
    expect(readdirSync(dir).sort()).toEqual(['rdv-new']);
  });
});
