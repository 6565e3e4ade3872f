// The reboot drill on real processes: the built api and terminal on a temp RDV_HOME, its
// tmux server killed while they are stopped, then started again; fake agents on PATH that
// record how they were started. Plus `rdv session log`, `rdv search` and `rdv service`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '@rdv/core/db';
import { useRecordingAgents, useTempDir, waitFor } from '@rdv/core/testing';
import { createTmux, listOwnProcs, readEnviron } from '@rdv/core/tmux';
import { CLI_MAIN, useRdvHome, useServices } from './helpers.js';

const CLAUDE_ID = '7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6';
const GEMINI_ID = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d';
const h = useRdvHome({ RDV_SESSIONS_STOP_TIMEOUT_SECONDS: '1' });
const services = useServices(h);
const agents = useRecordingAgents({ claude: CLAUDE_ID, gemini: GEMINI_ID }, 'file');
// The agents are on PATH the way a user has them: the sessions' login shell reads ~/.profile.
writeFileSync(join(h.home, '.profile'), `PATH="${agents.bin}:$PATH"; export PATH\n`);
const SLOW = { timeout: 180_000 };

beforeAll(() => services.start(), 60_000);

const procsOf = (sessionId: string) =>
  listOwnProcs()
    .filter((p) => p.state !== 'Z' && readEnviron(p.pid)?.get('RDV_SESSION_ID') === sessionId)
    .map((p) => `${p.pid}:${p.startTime}`);
const alive = (procs: string[]) => {
  const now = new Set(listOwnProcs().filter((p) => p.state !== 'Z').map((p) => `${p.pid}:${p.startTime}`));
  return procs.filter((p) => now.has(p));
};
const log = async (ref: string, ...args: string[]) => (await h.rdv(['session', 'log', ref, ...args])).stdout;

describe('the reboot drill: services stopped, tmux server killed, services started', SLOW, () => {
  it('brings the sessions back: agents resume their own conversation, the shell its directory and log', async () => {
    const work = useTempDir('file');
    const shell = await h.json(['session', 'create', 'work', '--cwd', work]);
    await h.rdv(['session', 'exec', 'work', '--', "echo before-reboot; (trap '' HUP TERM; while :; do sleep 0.2; done) &"]);
    const claude = await h.json(['session', 'create', 'claude-a', '--agent', 'claude']);
    const gemini = await h.json(['session', 'create', 'gemini-a', '--agent', 'gemini']);
    const ended = await h.json(['session', 'create', 'ended']);
    // Claude's hooks reported its id; Gemini quits and prints it.
    const db = openDb({ path: join(h.home, 'sqlite.db') });
    db.sqlite.prepare('UPDATE sessions SET agent_session_id = ? WHERE id = ?').run(CLAUDE_ID, claude.id);
    db.dispose();
    await waitFor(() => agents.starts().length === 2, 'the agents to start', 20_000);
    await waitFor(async () => (await log('gemini-a')).includes('gemini ready'), 'gemini ready', 20_000);
    await h.rdv(['session', 'exec', 'gemini-a', '/quit']);
    await waitFor(async () => (await log('gemini-a')).includes(`gemini --resume ${GEMINI_ID}`), 'the exit text', 20_000);
    await h.rdv(['session', 'close', 'ended']);
    await waitFor(async () => (await log('work')).includes('before-reboot'), 'the shell output');
    const leftovers = await waitFor(() => (procsOf(shell.id).length >= 3 ? procsOf(shell.id) : null), 'the shell and its loop');

    await services.stop();
    await createTmux({ socket: h.tmuxSocket }).killServer();
    await services.start();

    const list = (await h.json(['session', 'list', '--all'])).items;
    const byId = (id: string) => list.find((s: any) => s.id === id);
    for (const s of [shell, claude, gemini]) expect(byId(s.id)).toMatchObject({ status: 'active', restoredAt: expect.any(String), lostAt: null });
    expect(byId(ended.id)).toMatchObject({ status: 'closed', restoredAt: null });
    expect(alive(leftovers)).toEqual([]);
    await waitFor(() => agents.starts().length === 4, 'the agents to start again', 20_000);
    // Each resumes its own conversation (rdv's hook flags may come first: `claude --settings <file> --resume <id>`).
    const again = agents.starts().slice(2).sort();
    expect(again).toHaveLength(2);
    expect(again[0]).toMatch(new RegExp(`^claude (--settings \\S+ )?--resume ${CLAUDE_ID}$`));
    expect(again[1]).toBe(`gemini --resume ${GEMINI_ID}`);
    const plan = await h.rdv(['session', 'restore', '--dry-run']);
    expect(plan.stderr).toContain('no lost sessions');

    await h.rdv(['session', 'exec', 'work', '--', 'echo "back in $(pwd)"']);
    await waitFor(async () => (await log('work', '--all')).includes(`back in ${work}`), 'the restored shell');
    expect((await log('work', '--all')).indexOf('before-reboot')).toBeLessThan((await log('work', '--all')).indexOf(`back in ${work}`));
    const shown = await h.rdv(['session', 'show', 'work']);
    expect(shown.stdout).toMatch(/^restored\s+\d{4}-/m);
  });

  it('with [sessions] restore = "off" they wait, lost, for `rdv session restore`', async () => {
    await services.stop();
    await createTmux({ socket: h.tmuxSocket }).killServer();
    h.env.RDV_SESSIONS_RESTORE = 'off';
    try {
      await services.start();
    } finally {
      delete h.env.RDV_SESSIONS_RESTORE;
    }
    const listed = await h.rdv(['session', 'list', '--all']);
    expect(listed.stdout).toMatch(/^work\s+\S+\s+lost\s/m);
    const dry = await h.rdv(['session', 'restore', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^work\s.*a new shell\s+yes$/m);
    expect(dry.stdout).toMatch(new RegExp(`^claude-a\\s.*claude --resume ${CLAUDE_ID}\\s+yes$`, 'm'));
    expect((await h.json(['session', 'show', 'work'])).status).toBe('closed');

    const done = await h.json(['session', 'restore', 'work']);
    expect(done.items).toMatchObject([{ name: 'work', restored: true, action: 'shell' }]);
    expect((await h.json(['session', 'show', 'work'])).status).toBe('active');
    const rest = await h.json(['session', 'restore']);
    expect(rest.items.map((i: any) => [i.name, i.restored]).sort()).toEqual([
      ['claude-a', true],
      ['gemini-a', true],
    ]);
  });
});

describe('rdv session log and rdv search', SLOW, () => {
  it('prints the last lines, follows new output, and finds it again once the session is closed', async () => {
    await h.json(['session', 'create', 'follow']);
    await h.rdv(['session', 'exec', 'follow', '--', 'echo "first-$((1+1))"']);
    await waitFor(async () => (await log('follow', '-n', '5')).includes('first-2'), 'the first line');

    const follower = spawn(process.execPath, [CLI_MAIN, 'session', 'log', 'follow', '-f', '-n', '3'], { env: h.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let followed = '';
    follower.stdout.on('data', (c: Buffer) => (followed += c.toString('utf8')));
    try {
      await waitFor(() => followed.includes('first-2'), 'the follower to print the tail', 20_000);
      await h.rdv(['session', 'exec', 'follow', '--', 'echo "second-$((2+2))"']);
      await waitFor(() => followed.includes('second-4'), 'the follower to print new output', 20_000);
    } finally {
      const exited = new Promise((r) => follower.once('exit', r));
      follower.kill('SIGINT');
      await exited;
    }
    expect(follower.exitCode).toBe(0);

    await h.rdv(['session', 'close', 'follow']);
    expect(await log('follow', '-n', '5')).toContain('second-4');
    const raw = await log('follow', '--raw', '-n', '5');
    expect(raw).toContain('second-4\r\n');
    const found = await waitFor(async () => {
      const r = await h.rdv(['search', 'second-4']);
      return r.stdout.includes('follow') ? r : null;
    }, 'search to find it', 30_000, 500);
    expect(found.stdout).toMatch(/^follow \([0-9a-f]{8}, closed\)$/m);
    const offset = Number(/^\s+(\d+)\s+.*second-4/m.exec(found.stdout)![1]);
    expect((await log('follow', '--from', String(offset))).split('\n')[0]).toContain('second-4');
    expect((await h.json(['search', 'second-4', '--session', 'follow'])).items).toHaveLength(1);
    expect((await h.rdv(['search', 'second-4', '--since', 'soon'])).code).toBe(2);
  });
});

describe('rdv service', () => {
  it('writes the user unit for this checkout, explains lingering, reports it and removes it (systemd not reachable here)', async () => {
    const xdg = useTempDir();
    const runtime = join(xdg, 'runtime');
    mkdirSync(runtime, { mode: 0o700 });
    // No user manager to reach: a private runtime dir and no session bus.
    const env = { XDG_CONFIG_HOME: xdg, XDG_RUNTIME_DIR: runtime, DBUS_SESSION_BUS_ADDRESS: '' };
    const unitPath = join(xdg, 'systemd', 'user', 'rdv.service');

    const installed = await h.rdv(['service', 'install'], { env });
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).toContain(`wrote ${unitPath}`);
    expect(installed.stdout).toMatch(/user manager is not reachable here/);
    expect(installed.stdout).toContain('systemctl --user daemon-reload && systemctl --user enable --now rdv');
    expect(installed.stdout).toMatch(/loginctl enable-linger \S+/);
    const unit = readFileSync(unitPath, 'utf8');
    expect(unit).toContain(`ExecStart="${process.execPath}" packages/cli/dist/main.js up --foreground`);
    expect(unit).toContain(`Environment="RDV_HOME=${h.home}"`);
    const verify = spawnSync('systemd-analyze', ['--user', 'verify', unitPath], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: xdg, XDG_RUNTIME_DIR: runtime } });
    expect(`${verify.stdout}${verify.stderr}`.trim()).toBe('');
    expect(verify.status).toBe(0);

    expect((await h.rdv(['service', 'install'], { env })).stdout).toContain(`unchanged ${unitPath}`);
    const st = JSON.parse((await h.rdv(['--json', 'service', 'status'], { env })).stdout);
    expect(st).toMatchObject({ unitPath, installed: true, current: true, systemd: { reachable: false } });

    const removed = await h.rdv(['service', 'uninstall'], { env });
    expect(removed.stdout).toContain(`removed ${unitPath}`);
    expect(existsSync(unitPath)).toBe(false);
    expect((await h.rdv(['service', 'uninstall'], { env })).stdout).toMatch(/not installed/);
  });
});
