// The primary's api restarted, even killed: its hosts come back from the database with one
// ssh link each, an ssh left behind by the killed api is ended, and the host's sessions are
// listed again.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { socketRequest } from '@rdv/core/lifecycle';
import { makeSshKey, startService, useRdvEnv, useSshd, useTempDir, waitFor, type TestProcess } from '@rdv/core/testing';
import { startRemoteRdv } from './host-helpers.js';

const API = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');
const keys = useTempDir('file', 'rdv-keys-');
const key = makeSshKey(keys, 'primary');
const sshd = await useSshd({ authorizedKeys: [key.publicKey] });
writeFileSync(join(keys, 'known_hosts'), `${sshd.knownHostsLine()}\n`);
const remote = await startRemoteRdv();
afterAll(() => remote.stop(), 30_000);
const primary = useRdvEnv('file', { prefix: 'rdv-primary-' });
const socket = join(primary.home, 'run', 'api.sock');

const start = () => startService(API, { env: primary.env, health: { socket }, name: 'primary api', stopAfter: 'file', timeoutMs: 30_000 });
const call = <T = any>(method: string, path: string, body?: unknown) =>
  socketRequest<T>(socket, path, { method, body, headers: { authorization: `Bearer ${readFileSync(join(primary.home, 'cli-token'), 'utf8').trim()}` } });
/** ssh processes forwarding to this primary's run/hosts/. */
function links(): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.startsWith('ssh\0') && cmd.includes(join(primary.home, 'run', 'hosts'))) out.push(Number(pid));
    } catch {
      // The process ended while it was read.
    }
  }
  return out;
}

describe('hosts across an api restart', () => {
  let api: TestProcess;

  it('ends the ssh a killed api left behind and links the host again from the database', async () => {
    api = await start();
    const added = await call('POST', '/api/hosts', {
      name: 'box2',
      destination: `${sshd.user}@127.0.0.1`,
      port: sshd.port,
      identityFile: key.privateKeyPath,
      knownHostsFile: join(keys, 'known_hosts'),
      remoteHome: remote.home,
      token: remote.ownerToken,
    });
    expect(added.status).toBe(201);
    await waitFor(async () => (await call('GET', '/api/hosts/box2')).body.state === 'connected', 'box2 connected', 30_000);
    const made = await call('POST', '/api/sessions?host=box2', { name: 'survivor', kind: 'shell' });
    expect(made.status).toBe(201);
    const [first] = links();
    expect(links()).toHaveLength(1);

    api.child.kill('SIGKILL');
    await api.exited;
    // Killed without its shutdown: its ssh is still there.
    expect(links()).toEqual([first]);

    api = await start();
    await waitFor(async () => (await call('GET', '/api/hosts/box2')).body.state === 'connected', 'box2 linked again', 30_000);
    await waitFor(() => links().length === 1 && links()[0] !== first, 'the old ssh ended, one new link');
    const listed = (await call('GET', '/api/sessions?host=all')).body.items;
    expect(listed.find((s: any) => s.id === made.body.id)?.host).toMatchObject({ name: 'box2', state: 'connected' });

    await api.stop();
    // A clean stop ends its links.
    await waitFor(() => links().length === 0, 'no link after a clean stop');
  });
});
