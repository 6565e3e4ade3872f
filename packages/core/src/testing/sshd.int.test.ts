import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { makeSshKey, useSshd, useTempDir, waitFor } from './index.js';

const run = promisify(execFile);

describe('the loopback sshd tests use', () => {
  it('logs in with an authorized key only, pins its host key, and can be cut and replaced', { timeout: 120_000 }, async () => {
    const dir = useTempDir();
    const key = makeSshKey(dir);
    const stranger = makeSshKey(dir, 'stranger');
    const sshd = await useSshd({ scope: 'test', authorizedKeys: [key.publicKey] });
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `${sshd.knownHostsLine()}\n`);
    const sshArgs = (identity: string) => ['-F', 'none', '-p', String(sshd.port), '-i', identity, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes',
      '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', `${sshd.user}@127.0.0.1`, '--'];
    const ssh = (identity: string, ...cmd: string[]) => run('ssh', [...sshArgs(identity), ...cmd]);
    expect((await ssh(key.privateKeyPath, 'echo', 'hello')).stdout.trim()).toBe('hello');
    // Logins start in a home of their own, away from the test user's shell start files.
    expect((await ssh(key.privateKeyPath, 'echo', '$HOME')).stdout.trim()).toBe(join(sshd.dir, 'home'));
    await expect(ssh(stranger.privateKeyPath, 'true')).rejects.toThrow(/Permission denied/);
    sshd.authorize(stranger.publicKey);
    expect((await ssh(stranger.privateKeyPath, 'echo', 'now')).stdout.trim()).toBe('now');

    // A connection in use (it has printed), then cut under it.
    const long = spawn('ssh', [...sshArgs(key.privateKeyPath), 'echo ready; sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const ended = new Promise<number | null>((resolve) => long.once('exit', (code) => resolve(code)));
    let printed = '';
    long.stdout.on('data', (d: Buffer) => (printed += d.toString()));
    await waitFor(() => printed.includes('ready'), 'the long connection to be up', 30_000);
    sshd.cutConnections();
    expect(await ended).not.toBe(0);
    expect((await ssh(key.privateKeyPath, 'echo', 'again')).stdout.trim()).toBe('again');

    await sshd.replaceHostKey();
    await expect(ssh(key.privateKeyPath, 'true')).rejects.toThrow(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });
});
