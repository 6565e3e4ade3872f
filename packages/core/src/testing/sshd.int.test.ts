import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { makeSshKey, useSshd, useTempDir } from './index.js';

const run = promisify(execFile);

describe('the loopback sshd tests use', () => {
  it('logs in with an authorized key only, pins its host key, and can be cut and replaced', async () => {
    const dir = useTempDir();
    const key = makeSshKey(dir);
    const stranger = makeSshKey(dir, 'stranger');
    const sshd = await useSshd({ scope: 'test', authorizedKeys: [key.publicKey] });
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `${sshd.knownHostsLine()}\n`);
    const ssh = (identity: string, ...cmd: string[]) =>
      run('ssh', ['-F', 'none', '-p', String(sshd.port), '-i', identity, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes',
        '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', `${sshd.user}@127.0.0.1`, '--', ...cmd]);
    expect((await ssh(key.privateKeyPath, 'echo', 'hello')).stdout.trim()).toBe('hello');
    await expect(ssh(stranger.privateKeyPath, 'true')).rejects.toThrow(/Permission denied/);
    sshd.authorize(stranger.publicKey);
    expect((await ssh(stranger.privateKeyPath, 'echo', 'now')).stdout.trim()).toBe('now');

    const long = ssh(key.privateKeyPath, 'sleep', '60');
    await new Promise((r) => setTimeout(r, 300));
    sshd.cutConnections();
    await expect(long).rejects.toThrow();
    expect((await ssh(key.privateKeyPath, 'echo', 'again')).stdout.trim()).toBe('again');

    await sshd.replaceHostKey();
    await expect(ssh(key.privateKeyPath, 'true')).rejects.toThrow(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });
});
