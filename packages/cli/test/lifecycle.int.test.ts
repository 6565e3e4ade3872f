// `rdv up` (the supervisor in the background), `rdv status`, `rdv down`: tmux sessions
// survive; down is idempotent; stale files are reported and cleaned.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isProcessAlive } from '@rdv/core/lifecycle';
import { isHealthy, spawnNode, waitFor } from '@rdv/core/testing';
import { CLI_MAIN, useRdvHome } from './helpers.js';

const h = useRdvHome();
const supervisorPidFile = join(h.home, 'server', 'supervisor.pid');
// Zombie-aware: an orphaned supervisor may linger unreaped after it exits.
const alive = isProcessAlive;

afterAll(async () => {
  // Whatever a failed test left running: stop it the way a user would, then by its pid.
  await h.rdv(['down']);
  const pid = existsSync(supervisorPidFile) ? Number(readFileSync(supervisorPidFile, 'utf8')) : 0;
  if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
}, 30_000);

describe('rdv up / status / down', () => {
  it('starts in the background, reports, stops, and leaves tmux sessions running', async () => {
    // A generous wait: this machine may be busy with other test suites.
    const up = await h.rdv(['up', '--json', '--timeout', '150'], { timeoutMs: 160_000 });
    expect(up.code, up.stderr).toBe(0);
    const started = JSON.parse(up.stdout);
    expect(started).toMatchObject({ running: true, started: true, home: h.home });
    expect(Number(readFileSync(supervisorPidFile, 'utf8'))).toBe(started.supervisorPid);

    const again = await h.rdv(['up']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/rdv is already running \(supervisor pid \d+\)/);

    const status = JSON.parse((await h.rdv(['status', '--json'])).stdout);
    expect(status.supervisor.pid).toBe(started.supervisorPid);
    for (const name of ['api', 'terminal']) {
      expect(status.services.find((s: any) => s.name === name)).toMatchObject({ alive: true, health: 'healthy' });
    }

    const session = await h.json(['session', 'create', 'survivor']);
    const servicePids = status.services.filter((s: any) => s.pid).map((s: any) => s.pid as number);

    const down = await h.rdv(['down'], { timeoutMs: 30_000 });
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/rdv stopped: supervisor \(pid \d+\)\. tmux sessions keep running/);
    expect(alive(started.supervisorPid)).toBe(false);
    for (const pid of servicePids) expect(alive(pid)).toBe(false);
    expect(existsSync(join(h.home, 'run', 'api.sock'))).toBe(false);
    expect(spawnSync('tmux', ['-L', h.tmuxSocket, 'has-session', '-t', `=rdv-${session.id}`]).status).toBe(0);

    const twice = await h.rdv(['down']);
    expect(twice).toMatchObject({ code: 0, stdout: 'rdv is not running; nothing to stop.\n' });
    const stopped = await h.rdv(['session', 'list']);
    expect(stopped.code).toBe(3);

    const logs = await h.rdv(['logs', 'supervisor']);
    expect(logs.stdout).toMatch(/\[rdv\] starting api/);

    const back = await h.rdv(['up', '--timeout', '150'], { timeoutMs: 160_000 });
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/rdv is running \(supervisor pid \d+\)/);
    const list = await h.json(['session', 'list']);
    expect(list.items.find((s: any) => s.id === session.id)).toMatchObject({ status: 'active' });
    expect((await h.rdv(['down'], { timeoutMs: 30_000 })).code).toBe(0);
  }, 400_000);

  it('login-link points at the running edge, wherever its own settings made it listen, and down removes that record', async () => {
    await h.rdv(['down'], { timeoutMs: 30_000 }); // in case a test above stopped half-way
    // The edge gets a port the CLI's configuration knows nothing of (0: the kernel picks it).
    const up = await h.rdv(['up', '--timeout', '150'], { env: { RDV_WEB_LISTEN: '127.0.0.1:0' }, timeoutMs: 160_000 });
    expect(up.code, up.stderr).toBe(0);
    const webJson = join(h.home, 'run', 'web.json');
    await waitFor(() => existsSync(webJson), 'the edge to record where it listens', 120_000, 200);
    expect(statSync(webJson).mode & 0o777).toBe(0o600);
    // This CLI's own setting says a unix socket; the edge's record wins.
    expect(h.env.RDV_WEB_LISTEN).toMatch(/web\.sock$/);
    const link = await h.rdv(['login-link']);
    expect(link.code, link.stderr).toBe(0);
    const url = new URL(link.stdout.trim());
    expect(url.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url.port).not.toBe('6001');
    // It is that edge's link: opening it signs the browser in.
    const opened = await fetch(url, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    expect(opened.headers.get('set-cookie')).toMatch(/^rdv_session=/);
    expect((await h.rdv(['down'], { timeoutMs: 30_000 })).code).toBe(0);
    expect(existsSync(webJson)).toBe(false);
  }, 400_000);

  it('up --foreground keeps its services when its output pipe closes, and Ctrl-C while starting stops them all', async () => {
    await h.rdv(['down'], { timeoutMs: 30_000 }); // in case a test above stopped half-way
    const up = spawnNode(CLI_MAIN, { args: ['up', '--foreground'], env: h.env });
    // Like `| head -1`: read the first line, then the reader is gone.
    await waitFor(() => up.stdout().length > 0, 'the first line of output');
    up.child.stdout!.destroy();
    await waitFor(() => isHealthy({ socket: join(h.home, 'run', 'api.sock') }), 'the api to answer', 120_000, 200);
    const session = await h.json(['session', 'create', 'piped']);
    expect(session.name).toBe('piped');
    expect(up.child.exitCode).toBeNull();
    up.child.kill('SIGINT');
    expect((await up.exited).code, up.stderr()).toBe(0);
    expect(up.stderr()).not.toMatch(/EPIPE/);
    // Stopped while the later services were still starting: none of them is left behind.
    for (const file of ['server/supervisor.pid', 'server/api.pid', 'server/terminal.pid', 'server/web.pid', 'run/api.sock', 'run/terminal.sock', 'run/web.sock']) {
      expect(existsSync(join(h.home, file)), file).toBe(false);
    }
  }, 200_000);

  it('doctor reports stale pid files and --fix removes them; down ignores them', async () => {
    await h.rdv(['down'], { timeoutMs: 30_000 }); // in case the test above stopped half-way
    writeFileSync(join(h.home, 'server', 'api.pid'), '999999\n');
    writeFileSync(supervisorPidFile, '999998\n');
    const report = JSON.parse((await h.rdv(['doctor', '--json'])).stdout);
    expect(report.checks.find((c: any) => c.name === 'stale api.pid')).toMatchObject({ status: 'warn', fix: expect.stringMatching(/^rm /) });
    expect(report.checks.find((c: any) => c.name === 'stale supervisor.pid')).toMatchObject({ status: 'warn' });
    const down = await h.rdv(['down']);
    expect(down).toMatchObject({ code: 0, stdout: 'rdv is not running; nothing to stop.\n' });
    await h.rdv(['doctor', '--fix']);
    expect(existsSync(join(h.home, 'server', 'api.pid'))).toBe(false);
    expect(existsSync(supervisorPidFile)).toBe(false);
  });
});
