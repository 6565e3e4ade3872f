// The api as a real process: pid file, second instance, kill -9 and restart, SIGTERM.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { socketRequest } from '@rdv/core/lifecycle';
import { isHealthy, spawnNode, useRdvEnv, waitFor, waitForHealthy } from '@rdv/core/testing';

/** The owner's calls (CLI token), resolving with the body of a 2xx answer. */
function ownerClient(sock: string, home: string) {
  const token = readFileSync(join(home, 'cli-token'), 'utf8').trim();
  return {
    async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
      const r = await socketRequest<T>(sock, path, { method, body, headers: { authorization: `Bearer ${token}` } });
      if (r.status < 200 || r.status >= 300) throw new Error(`${method} ${path} answered ${r.status}: ${r.text}`);
      return r.body;
    },
  };
}

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const { home, env } = useRdvEnv('file', { prefix: 'rdv-proc-', env: { RDV_LOG_LEVEL: 'info' } });
const sock = join(home, 'run', 'api.sock');
const pidFile = join(home, 'server', 'api.pid');

const startApi = () => spawnNode(MAIN, { env });
const healthy = () => isHealthy({ socket: sock });

describe('api process', () => {
  it('refuses a second instance, survives kill -9 and stops cleanly on SIGTERM', async () => {
    const first = startApi();
    await waitForHealthy(first, { socket: sock }, 'api');
    const client = () => ownerClient(sock, home);
    const session = await client().call<any>('POST', '/api/sessions', { name: 'survivor', kind: 'shell' });
    await client().call('POST', `/api/sessions/${session.id}/exec`, { command: 'echo before-crash' });

    const second = startApi();
    expect((await second.exited).code).toBe(1);
    expect(second.stderr()).toMatch(/already running \(pid \d+/);
    expect(await healthy()).toBe(true);

    first.child.kill('SIGKILL');
    await first.exited;
    expect(existsSync(pidFile)).toBe(true);
    expect(existsSync(sock)).toBe(true);

    const third = startApi();
    await waitForHealthy(third, { socket: sock }, 'restarted api');
    expect(readFileSync(pidFile, 'utf8').trim()).toBe(String(third.child.pid));
    const again = await client().call<any>('GET', `/api/sessions/${session.id}`);
    expect(again).toMatchObject({ name: 'survivor', status: 'active' });
    const sb = await waitFor(async () => {
      const r = await client().call<any>('GET', `/api/sessions/${session.id}/scrollback`);
      return r.text.includes('before-crash') ? r : null;
    }, 'scrollback after restart');
    expect(sb.text).toContain('before-crash');
    expect(readFileSync(join(home, 'server', 'api.log'), 'utf8')).toMatch(/cleaned up after a previous instance/);

    third.child.kill('SIGTERM');
    expect((await third.exited).code).toBe(0);
    expect(existsSync(sock)).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
    const ls = spawnSync('tmux', ['-L', env.RDV_TMUX_SOCKET!, 'has-session', '-t', `=rdv-${session.id}`]);
    expect(ls.status).toBe(0);

    const fourth = startApi();
    await waitForHealthy(fourth, { socket: sock }, 'api after SIGTERM');
    expect((await client().call<any>('GET', '/api/sessions')).items.map((s: any) => s.id)).toContain(session.id);
    fourth.child.kill('SIGTERM');
    expect((await fourth.exited).code).toBe(0);
  });

  it('marks sessions whose shell exited while it was down as closed, and brings back those whose tmux session vanished', async () => {
    const a = startApi();
    await waitForHealthy(a, { socket: sock }, 'api');
    const client = ownerClient(sock, home);
    const s = await client.call<any>('POST', '/api/sessions', { name: 'short-lived', kind: 'shell' });
    const lost = await client.call<any>('POST', '/api/sessions', { name: 'vanished', kind: 'shell' });
    a.child.kill('SIGTERM');
    await a.exited;
    const tmux = (...args: string[]) => spawnSync('tmux', ['-L', env.RDV_TMUX_SOCKET!, ...args]);
    tmux('send-keys', '-t', `=rdv-${s.id}:`, 'exit 4', 'Enter');
    await waitFor(() => tmux('has-session', '-t', `=rdv-${s.id}`).status !== 0, 'the shell to exit');
    // Killed without its shell exiting: lost, not ended.
    tmux('kill-session', '-t', `=rdv-${lost.id}`);
    const b = startApi();
    await waitForHealthy(b, { socket: sock }, 'api');
    expect(await client.call<any>('GET', `/api/sessions/${s.id}`)).toMatchObject({ status: 'closed', exitCode: 4 });
    expect(await client.call<any>('GET', `/api/sessions/${lost.id}`)).toMatchObject({ status: 'active', restoredAt: expect.any(String) });
    expect(tmux('has-session', '-t', `=rdv-${lost.id}`).status).toBe(0);
    b.child.kill('SIGTERM');
    await b.exited;
  });
});
