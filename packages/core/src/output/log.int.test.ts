import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir, useTmux, waitFor } from '../testing/index.js';
import type { Tmux } from '../tmux/index.js';
import { LOG_FILE, outputDir } from './files.js';
import { readOutput } from './read.js';
import { startOutputLog, stopOutputLog, WRITER_NAME } from './writer.js';

const ID = '5d1c7a8e-0f3b-4c1d-9e2a-7b6c5d4e3f21';

/** Writer processes appending to `file` (from /proc: their argv names it), not counting their own subshells. */
function writers(file: string): number[] {
  const found = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (!argv.includes(WRITER_NAME) || !argv.includes(file)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      found.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Exited while we looked.
    }
  }
  return [...found].filter(([, ppid]) => !found.has(ppid)).map(([pid]) => pid);
}

const text = (dir: string) => {
  const page = readOutput(dir, { limitBytes: 16 * 1024 * 1024 });
  return page.format === 'text' ? page.text : '';
};

async function run(tmux: Tmux, name: string, line: string) {
  await tmux.sendLiteral(name, line);
  await tmux.sendKeys(name, ['Enter']);
}

describe('session output log (real tmux pipe-pane)', () => {
  it('appends the pane output live, 0600 in 0700 folders, and keeps it after the session and tmux are gone', async () => {
    const tmux = useTmux();
    const sessionsDir = join(useTempDir(), 'sessions');
    const dir = outputDir(sessionsDir, ID);
    const file = join(dir, LOG_FILE);
    await tmux.newSession({ name: 'rdv-log1', cwd: useTempDir(), command: ['/bin/sh'] });
    await startOutputLog(tmux, { name: 'rdv-log1', dir, maxBytes: 1 << 20 });
    await run(tmux, 'rdv-log1', 'echo "hello-$((6*7))"');
    // A few bytes show up at once: the writer does not sit on a buffer.
    await waitFor(() => text(dir).includes('hello-42'), 'the echo in the log');
    expect(statSync(sessionsDir).mode & 0o777).toBe(0o700);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // Starting again keeps the one writer (tmux's -o alone would toggle it off).
    await startOutputLog(tmux, { name: 'rdv-log1', dir, maxBytes: 1 << 20 });
    expect(writers(file)).toHaveLength(1);
    expect((await tmux.listPanes('rdv-log1'))[0]!.piping).toBe(true);

    await tmux.killSession('rdv-log1');
    await waitFor(() => writers(file).length === 0, 'the writer to end with its pipe');
    expect(text(dir)).toContain('hello-42');

    // The same session started again (restored) appends to what was kept.
    await tmux.newSession({ name: 'rdv-log1', cwd: useTempDir(), command: ['/bin/sh'] });
    await startOutputLog(tmux, { name: 'rdv-log1', dir, maxBytes: 1 << 20 });
    await run(tmux, 'rdv-log1', 'echo "again-$((7*7))"');
    await waitFor(() => text(dir).includes('again-49'), 'the second echo');
    execFileSync('tmux', ['-L', tmux.socket, 'kill-server']);
    await waitFor(() => writers(file).length === 0, 'the writer to end with the server');
    const all = text(dir);
    expect(all.indexOf('hello-42')).toBeLessThan(all.indexOf('again-49'));
    expect(all).not.toMatch(/\x1b/);
  });

  it('rotates at the size limit into .1 and .2, keeping every kept byte in order', async () => {
    const tmux = useTmux();
    const dir = outputDir(join(useTempDir(), 'sessions'), ID);
    await tmux.newSession({ name: 'rdv-rot', cwd: useTempDir(), command: ['/bin/sh'] });
    const maxBytes = 16 * 1024;
    await startOutputLog(tmux, { name: 'rdv-rot', dir, maxBytes });
    await run(tmux, 'rdv-rot', 'seq 1 30000; echo "end-$((1+1))"');
    await waitFor(() => text(dir).includes('end-2'), 'the end of the output', 20_000);

    const sizes = ['output.log.2', 'output.log.1', 'output.log'].map((f) => statSync(join(dir, f)).size);
    expect(sizes[0]).toBe(maxBytes);
    expect(sizes[1]).toBe(maxBytes);
    expect(sizes[2]).toBeLessThanOrEqual(maxBytes);
    expect(existsSync(join(dir, 'output.log.3'))).toBe(false);
    // seq 1 30000 is about 190 KB with CR LF: what was dropped is counted in the base.
    const base = Number(readFileSync(join(dir, 'output.log.base'), 'utf8'));
    expect(base % maxBytes).toBe(0);
    expect(base).toBeGreaterThan(150_000);
    const page = readOutput(dir, { limitBytes: 1 << 20 });
    expect(page).toMatchObject({ logStart: base, logEnd: base + sizes[0]! + sizes[1]! + sizes[2]! });

    // The kept text is an unbroken run of seq's numbers up to 30000: nothing lost between
    // files. (Rotation cuts at a byte, so the oldest kept line may be the end of a number.)
    const lines = (page.format === 'text' ? page.text : '').split('\n').slice(1);
    const numbers = lines.filter((l) => /^\d+$/.test(l)).map(Number);
    expect(numbers.length).toBeGreaterThan(4000);
    expect(numbers[numbers.length - 1]).toBe(30000);
    for (let i = 1; i < numbers.length; i++) expect(numbers[i]).toBe(numbers[i - 1]! + 1);
  });

  it('a failing disk drops output but never blocks or ends the session; logging comes back with the space', async () => {
    const tmux = useTmux();
    const dir = outputDir(join(useTempDir(), 'sessions'), ID);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Every write to /dev/full fails with ENOSPC, as on a full disk.
    symlinkSync('/dev/full', join(dir, LOG_FILE));
    await tmux.newSession({ name: 'rdv-full', cwd: useTempDir(), command: ['/bin/sh'] });
    await startOutputLog(tmux, { name: 'rdv-full', dir, maxBytes: 8192 });
    await run(tmux, 'rdv-full', 'seq 1 20000 > /dev/null; seq 1 5000; echo "still-$((2*3))"');
    await waitFor(async () => (await tmux.capturePane('rdv-full')).includes('still-6'), 'the session to keep going', 20_000);
    expect(writers(join(dir, LOG_FILE))).toHaveLength(1);

    rmSync(join(dir, LOG_FILE));
    // The writer drained what it could not write; once a write works again, the log resumes.
    await run(tmux, 'rdv-full', 'seq 1 20000; echo "back-$((3*3))"');
    await waitFor(() => text(dir).includes('back-9'), 'logging to resume', 20_000);
    expect(lstatSync(join(dir, LOG_FILE)).isFile()).toBe(true);
    expect(await tmux.hasSession('rdv-full')).toBe(true);
  });

  it('keeps working after its folder is removed under it (the session moved to the trash)', async () => {
    const tmux = useTmux();
    const dir = outputDir(join(useTempDir(), 'sessions'), ID);
    await tmux.newSession({ name: 'rdv-gone', cwd: useTempDir(), command: ['/bin/sh'] });
    await startOutputLog(tmux, { name: 'rdv-gone', dir, maxBytes: 4096 });
    rmSync(dir, { recursive: true });
    await run(tmux, 'rdv-gone', 'seq 1 20000; echo "alive-$((4*4))"');
    await waitFor(async () => (await tmux.capturePane('rdv-gone')).includes('alive-16'), 'the session to keep going', 20_000);
    // The writer never recreates a folder that was taken away.
    expect(existsSync(dir)).toBe(false);
  });

  it('stops on request, and passes the log path to the writer as an argument, never as shell text', async () => {
    const tmux = useTmux();
    const base = useTempDir();
    const dir = join(base, `it's "$(touch pwned)" #1; $HOME 100%s #{session_name}`, ID);
    const file = join(dir, LOG_FILE);
    await tmux.newSession({ name: 'rdv-q', cwd: base, command: ['/bin/sh'] });
    await startOutputLog(tmux, { name: 'rdv-q', dir, maxBytes: 1 << 20 });
    await run(tmux, 'rdv-q', 'echo "quoted-$((5*5))"');
    await waitFor(() => text(dir).includes('quoted-25'), 'the echo under the odd path');
    expect(writers(file)).toHaveLength(1);
    expect(existsSync(join(process.cwd(), 'pwned'))).toBe(false);
    expect(existsSync(join(base, 'pwned'))).toBe(false);

    await stopOutputLog(tmux, 'rdv-q');
    await waitFor(() => writers(file).length === 0, 'the writer to end');
    await run(tmux, 'rdv-q', 'echo "unlogged-$((6*6))"');
    await waitFor(async () => (await tmux.capturePane('rdv-q')).includes('unlogged-36'), 'the echo on screen');
    expect(text(dir)).not.toContain('unlogged-36');

    await expect(startOutputLog(tmux, { name: 'rdv-q', dir: join(base, 'line\nbreak'), maxBytes: 1 << 20 })).rejects.toThrow(/control characters/);
    await expect(startOutputLog(tmux, { name: 'rdv-nope', dir, maxBytes: 1 << 20 })).rejects.toThrow(/not found/);
  });
});
