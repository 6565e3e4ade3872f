// Folder hooks on real sessions (tmux, SQLite): hostile names, arguments, cwd and env reach
// the hook as plain data, never through a shell.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listAudit, resolveUserByEmail } from '../auth/index.js';
import { useSessions, useTempDir, waitFor } from '../testing/index.js';
import { createHookDispatcher, createHookStore, hookEventOf, runCommand } from './index.js';

const HOSTILE = ['it\'s "quoted"', '$(touch pwned-arg)', '`touch pwned-tick`', 'line one\nline two', '; touch pwned-semi', '*', '$HOME'];

/** A recorder: writes its argv, stdin, cwd and a few env vars as JSON into `out`, then prints and exits as told. */
function recorder(dir: string): string {
  const path = join(dir, 'recorder.cjs');
  writeFileSync(
    path,
    `const fs = require('node:fs');
let stdin = '';
process.stdin.on('data', (c) => (stdin += c));
process.stdin.on('end', () => {
  const [out, ...args] = process.argv.slice(2);
  const e = process.env;
  const n = fs.readdirSync(out).length;
  fs.writeFileSync(out + '/run-' + n + '.json', JSON.stringify({ args, stdin: JSON.parse(stdin), cwd: process.cwd(),
    env: { RDV_SESSION_ID: e.RDV_SESSION_ID, RDV_HOOK_EVENT: e.RDV_HOOK_EVENT, HOSTILE: e.HOSTILE, RDV_TOKEN: e.RDV_TOKEN } }));
  process.stdout.write('recorded ' + JSON.parse(stdin).event);
  process.stderr.write('a warning');
  process.exit(args.includes('fail') ? 3 : 0);
});
`,
  );
  return path;
}

function setup() {
  const stack = useSessions();
  const hooks = createHookStore({ db: stack.db, folders: stack.folders });
  const dispatcher = createHookDispatcher({ db: stack.db, events: stack.events, folders: stack.folders, log: stack.log, apiSocket: join(stack.home, 'run', 'api.sock') });
  const dir = useTempDir();
  const out = join(dir, 'runs');
  mkdirSync(out);
  const runs = () =>
    readdirSync(out)
      .sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]))
      .map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')));
  return { ...stack, hooks, dispatcher, dir, out, runs, script: recorder(dir) };
}

describe('folder hooks', () => {
  it('run inherited hooks on created and closed, with hostile data passed as it is', async () => {
    const { sessions, folders, hooks, dispatcher, userId, dir, out, runs, script, db } = setup();
    const cwd = join(dir, 'it\'s "$(touch pwned-cwd)" `x` ; y');
    mkdirSync(cwd);
    const top = folders.create(userId, { name: 'top', env: { HOSTILE: '$(touch pwned-env)\n"x"' } });
    const sub = folders.create(userId, { name: 'sub (x)', parentId: top.id });
    const hook = hooks.create(userId, top.id, { name: 'record', events: ['created', 'closed'], argv: [process.execPath, script, out, ...HOSTILE], timeoutMs: 10_000, enabled: true });
    expect(hooks.list(userId, sub.id)).toMatchObject([{ id: hook.id, inherited: true, folderName: 'top' }]);

    const s = await sessions.create(userId, { name: 'agent: #1 (test)', kind: 'shell', folderId: sub.id, cwd });
    await waitFor(() => runs().length === 1, 'the created hook');
    await sessions.close(userId, s.id);
    await waitFor(() => runs().length === 2, 'the closed hook');
    await dispatcher.idle();

    const [created, closed] = runs();
    expect(created.args).toEqual(HOSTILE);
    expect(created.cwd).toBe(cwd);
    expect(created.stdin).toMatchObject({ event: 'created', session: { id: s.id, name: 'agent: #1 (test)', cwd, folderId: sub.id }, hook: { id: hook.id, name: 'record' } });
    expect(created.env).toEqual({ RDV_SESSION_ID: s.id, RDV_HOOK_EVENT: 'created', HOSTILE: '$(touch pwned-env)\n"x"' });
    expect(closed.stdin.event).toBe('closed');
    for (const d of [dir, cwd, process.cwd()]) expect(readdirSync(d).filter((f) => f.startsWith('pwned'))).toEqual([]);

    const kept = hooks.runs(userId, sub.id, hook.id, 10);
    expect(kept.map((r) => [r.event, r.exitCode, r.timedOut, r.stdout, r.stderr])).toEqual([
      ['closed', 0, false, 'recorded closed', 'a warning'],
      ['created', 0, false, 'recorded created', 'a warning'],
    ]);
    const audit = listAudit(db, userId).filter((a) => a.action === 'hook.run' && a.target === hook.id);
    expect(audit.map((a) => a.outcome)).toEqual(['ok', 'ok']);
  });

  it('tells waiting for input, turn finished and stalled apart, and runs only hooks on that event', async () => {
    const { sessions, folders, hooks, dispatcher, events, userId, out, runs, script } = setup();
    const f = folders.create(userId, { name: 'f' });
    hooks.create(userId, f.id, { name: 'turns', events: ['turn_finished', 'stalled'], argv: [process.execPath, script, out, 'fail'], timeoutMs: 10_000, enabled: true });
    hooks.create(userId, f.id, { name: 'off', events: ['turn_finished'], argv: [process.execPath, script, out], timeoutMs: 10_000, enabled: false });
    const s = await sessions.create(userId, { name: 'a', kind: 'shell', folderId: f.id });
    const insight = (type: string, reason: string) => events.publish(userId, 'insight.created', { insight: { id: 'x', sessionId: s.id, type, context: { reason } } });
    expect(hookEventOf(insight('waiting_input', 'permission'))?.event).toBe('waiting_for_input');
    expect(hookEventOf(insight('waiting_input', 'ready'))?.event).toBe('turn_finished');
    expect(hookEventOf(insight('stalled', 'quiet'))?.event).toBe('stalled');
    await waitFor(() => runs().length === 2, 'two runs');
    await dispatcher.idle();
    expect(runs().map((r) => r.stdin.event)).toEqual(['turn_finished', 'stalled']);
    expect(runs()[0].stdin.insight).toMatchObject({ type: 'waiting_input', context: { reason: 'ready' } });
    // The same insight saying the same again runs nothing; changing what it is about does.
    events.publish(userId, 'insight.updated', { insight: { id: 'x', sessionId: s.id, type: 'stalled', context: { reason: 'quiet' } } });
    events.publish(userId, 'insight.updated', { insight: { id: 'x', sessionId: s.id, type: 'waiting_input', context: { reason: 'ready' } } });
    await waitFor(() => runs().length === 3, 'the third run');
    await dispatcher.idle();
    expect(runs().map((r) => r.stdin.event)).toEqual(['turn_finished', 'stalled', 'turn_finished']);
  });

  it('ends a hook past its timeout, with whatever it started, and records a program that cannot start', async () => {
    const { sessions, folders, hooks, dispatcher, userId, dir } = setup();
    const f = folders.create(userId, { name: 'slow' });
    const marker = join(dir, 'child-survived');
    const slow = hooks.create(userId, f.id, {
      name: 'slow',
      events: ['created'],
      argv: ['sh', '-c', `(sleep 3; touch '${marker}') & sleep 30`],
      timeoutMs: 1000,
      enabled: true,
    });
    const missing = hooks.create(userId, f.id, { name: 'missing', events: ['created'], argv: [join(dir, 'no-such-program')], timeoutMs: 5000, enabled: true });
    const s = await sessions.create(userId, { name: 'x', kind: 'shell', folderId: f.id });
    const [timedOut, failed] = await dispatcher.fire(userId, s.id, 'created');
    expect(timedOut).toMatchObject({ hookId: slow.id, timedOut: true, exitCode: null, signal: 'SIGTERM' });
    expect(failed).toMatchObject({ hookId: missing.id, exitCode: null, error: expect.stringMatching(/ENOENT/) });
    await new Promise((r) => setTimeout(r, 3500));
    expect(existsSync(marker)).toBe(false);
  });

  it('ends the hooks still running when it is disposed', async () => {
    const { sessions, folders, hooks, dispatcher, userId, dir } = setup();
    const f = folders.create(userId, { name: 'stopping' });
    const started = join(dir, 'started');
    hooks.create(userId, f.id, { name: 'long', events: ['closed'], argv: ['sh', '-c', `touch '${started}'; sleep 60`], timeoutMs: 600_000, enabled: true });
    const s = await sessions.create(userId, { name: 'y', kind: 'shell', folderId: f.id });
    const running = dispatcher.fire(userId, s.id, 'closed');
    await waitFor(() => existsSync(started), 'the hook to start');
    dispatcher.dispose();
    const [run] = await running;
    expect(run).toMatchObject({ signal: 'SIGTERM', timedOut: false });
    expect(run!.durationMs).toBeLessThan(10_000);
  });

  it("keeps another user's folder hooks out of reach", () => {
    const { folders, hooks, userId, db } = setup();
    const f = folders.create(userId, { name: 'mine' });
    const h = hooks.create(userId, f.id, { name: 'h', events: ['created'], argv: ['true'], timeoutMs: 5000, enabled: true });
    const other = resolveUserByEmail(db, 'other@example.com');
    expect(() => hooks.list(other.id, f.id)).toThrow(/not found/);
    expect(() => hooks.create(other.id, f.id, { name: 'x', events: ['created'], argv: ['true'], timeoutMs: 5000, enabled: true })).toThrow(/not found/);
    expect(() => hooks.runs(other.id, f.id, h.id, 5)).toThrow(/not found/);
    expect(() => hooks.delete(other.id, f.id, h.id)).toThrow(/not found/);
  });

  it('keeps at most 64 KiB of output per stream', async () => {
    const r = await runCommand({ argv: [process.execPath, '-e', "process.stdout.write('x'.repeat(100000))"], cwd: process.cwd(), env: { PATH: process.env.PATH ?? '' }, stdin: '', timeoutMs: 10_000 });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^x{65536}\n\[… 34464 more bytes not kept\]$/);
  });
});
