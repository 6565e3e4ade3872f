import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import { useTempDir, useTmux, waitFor } from '../testing/index.js';
import { attachTmuxPty, createFlowGate, spawnPty, type PtyExit, type PtyProcess } from './index.js';

function collect(pty: PtyProcess) {
  const chunks: Buffer[] = [];
  pty.onData((c) => chunks.push(c));
  return { text: () => Buffer.concat(chunks).toString('utf8'), count: () => chunks.length };
}

describe('spawnPty', () => {
  it('runs an argv on a pty, delivers bytes and the exit code', async () => {
    const pty = spawnPty({ file: '/bin/sh', args: ['-c', 'printf "h\\303\\251llo $TERM"; exit 3'], cols: 80, rows: 24, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    const out = collect(pty);
    const exit = await new Promise<PtyExit>((r) => pty.onExit(r));
    expect(exit.exitCode).toBe(3);
    expect(out.text()).toContain('héllo xterm-256color');
    expect(pty.closed).toBe(true);
    pty.dispose();
    pty.dispose();
  });
});

describe('attachTmuxPty', () => {
  it('attaches to a tmux session: input, output, resize, and dispose leaves the session', async () => {
    const tmux = useTmux();
    const dir = useTempDir();
    await tmux.newSession({ name: 'pty-a', cwd: dir, command: ['/bin/sh'] });
    const pty = attachTmuxPty(tmux, 'pty-a', { cols: 100, rows: 30 });
    const out = collect(pty);
    pty.write("printf 'MARK%s\\n' one\r");
    await waitFor(() => out.text().includes('MARKone'), 'the marker');
    pty.resize(120, 40);
    await waitFor(async () => (await tmux.listSessions())[0]?.width === 120, 'the window to follow the pty size');
    expect(pty.cols).toBe(120);
    pty.dispose();
    pty.dispose();
    await waitFor(async () => (await tmux.listSessions())[0]?.attachedClients === 0, 'the tmux client to detach');
    expect(await tmux.hasSession('pty-a')).toBe(true);
  });

  it('holds output back while paused and delivers it after resume', async () => {
    const tmux = useTmux();
    const dir = useTempDir();
    await tmux.newSession({ name: 'pty-p', cwd: dir, command: ['/bin/sh'] });
    const pty = attachTmuxPty(tmux, 'pty-p', { cols: 80, rows: 24 });
    const out = collect(pty);
    await waitFor(() => out.count() > 0, 'the first redraw');
    await waitFor(async () => (await tmux.capturePane('pty-p')).includes('#') || (await tmux.capturePane('pty-p')).includes('$'), 'a prompt');
    pty.pause();
    expect(pty.paused).toBe(true);
    const before = out.count();
    await tmux.sendLiteral('pty-p', "printf 'MARK%s\\n' paused");
    await tmux.sendKeys('pty-p', ['Enter']);
    await waitFor(async () => (await tmux.capturePane('pty-p')).includes('MARKpaused'), 'tmux to have run the command');
    expect(out.count()).toBe(before);
    pty.resume();
    await waitFor(() => out.text().includes('MARKpaused'), 'the held output');
    pty.dispose();
  });

  it('exits with code 0 when the session is killed, and refuses bad names', async () => {
    const tmux = useTmux();
    const dir = useTempDir();
    await tmux.newSession({ name: 'pty-k', cwd: dir, command: ['/bin/sh'] });
    const pty = attachTmuxPty(tmux, 'pty-k', { cols: 80, rows: 24 });
    const exited = new Promise<PtyExit>((r) => pty.onExit(r));
    await waitFor(async () => (await tmux.listSessions())[0]?.attachedClients === 1, 'the client to attach');
    await tmux.killSession('pty-k');
    expect((await exited).exitCode).toBe(0);
    expect(() => attachTmuxPty(tmux, 'bad name;', { cols: 80, rows: 24 })).toThrow(AppError);
  });
});

describe('createFlowGate', () => {
  it('pauses above the high mark and resumes at the low mark, once each', () => {
    const calls: string[] = [];
    const gate = createFlowGate({ highBytes: 100, lowBytes: 10 }, () => calls.push('pause'), () => calls.push('resume'));
    for (const n of [50, 100, 101, 150, 50, 11, 10, 0, 101]) gate.update(n);
    expect(calls).toEqual(['pause', 'resume', 'pause']);
    expect(gate.paused).toBe(true);
    expect(() => createFlowGate({ highBytes: 10, lowBytes: 10 }, () => {}, () => {})).toThrow(AppError);
  });
});

describe('the pty writer', () => {
  it('writes straight to the fd on this node-pty, in order, also past what the kernel takes at once', async () => {
    const dir = useTempDir();
    const target = join(dir, 'got');
    const parts = Array.from({ length: 400 }, (_, i) => `${i}:${'abcdefghij'.repeat(i % 50)}|`);
    const total = Buffer.byteLength(parts.join(''));
    const pty = spawnPty({
      file: '/bin/sh',
      args: ['-c', `stty raw -echo; head -c ${total} > ${target}`],
      cols: 80,
      rows: 24,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    expect(pty.writesDirect).toBe(true);
    const exited = new Promise<PtyExit>((r) => pty.onExit(r));
    // The redirection creates the file once `stty raw` is done: from then on bytes pass as they are.
    await waitFor(() => existsSync(target), 'head to start');
    for (const part of parts) pty.write(part);
    expect((await exited).exitCode).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe(parts.join(''));
  });
});
