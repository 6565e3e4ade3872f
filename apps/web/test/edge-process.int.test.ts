// The built entry point as the supervisor runs it: refusal at start, unix socket, pid file, SIGTERM.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { socketRequest } from '@rdv/core/lifecycle';
import { spawnNode, useTempDir, waitFor } from '@rdv/core/testing';
import { describe, expect, it } from 'vitest';
import { REPO, requireBuilt } from './helpers/stack.js';

const ENTRY = join(REPO, 'apps/web/dist/server.js');

function run(env: Record<string, string>) {
  const proc = spawnNode(ENTRY, { cwd: REPO, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
  return { child: proc.child, exit: proc.exited.then((e) => e.code), stderr: proc.stderr };
}

describe('web edge process', () => {
  requireBuilt();

  it('refuses a non-loopback listen without Cloudflare Access, with a message, exit 1', async () => {
    const home = useTempDir();
    const p = run({ RDV_HOME: home, RDV_WEB_LISTEN: '0.0.0.0:6001' });
    expect(await p.exit).toBe(1);
    expect(p.stderr()).toMatch(/rdv web: refusing to listen on 0\.0\.0\.0:6001.*only loopback addresses/);
    expect(existsSync(join(home, 'server', 'web.pid'))).toBe(false);
  });

  it('listens on a 0600 unix socket, refuses a second instance, and stops cleanly on SIGTERM', async () => {
    const home = useTempDir();
    const sock = join(home, 'run', 'web.sock');
    const env = { RDV_HOME: home, RDV_WEB_LISTEN: sock, RDV_CF_TEAM_DOMAIN: 'team.cloudflareaccess.com', RDV_CF_AUD: 'aud', RDV_CF_CERTS_URL: 'http://127.0.0.1:9/certs' };
    const p = run(env);
    await waitFor(async () => (await socketRequest(sock, '/healthz', { timeoutMs: 1000 })).status === 200, 'web socket', 30_000, 100);
    expect(statSync(sock).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'run')).mode & 0o777).toBe(0o700);
    expect(statSync(join(home, 'server', 'web-secret')).mode & 0o777).toBe(0o600);
    expect((await socketRequest(sock, '/api/sessions', { headers: { 'x-rdv-user-id': 'x', 'x-rdv-service-token': 'x' } })).status).toBe(401);

    const second = run(env);
    expect(await second.exit).toBe(1);
    expect(second.stderr()).toMatch(/already running/);

    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    expect(existsSync(sock)).toBe(false);
    expect(existsSync(join(home, 'server', 'web.pid'))).toBe(false);
  }, 60_000);
});
