// rdv identity, rdv repo and rdv worktree push through the built CLI against a real api,
// cloning from a real sshd on loopback.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeSshKey, useRepo, useSshd, useTempDir } from '@rdv/core/testing';
import { useRdvHome, useServices } from './helpers.js';

const SLOW = { timeout: 120_000 };
const h = useRdvHome();
const services = useServices(h, ['api']);
beforeAll(() => services.start(), 60_000);
const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' }).trim();
// Calls that reach the sshd (clone, fetch, push) get the time a loaded machine needs.
const REMOTE = { timeoutMs: 90_000 };
const remoteJson = async (args: string[]) => {
  const r = await h.rdv(['--json', ...args], REMOTE);
  if (r.code !== 0) throw new Error(`rdv ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
};

describe('rdv identity and rdv repo', SLOW, () => {
  it('adds identities, clones over ssh as one, pushes a worktree, and never prints or logs a private key', async () => {
    const made = await h.json(['identity', 'add', 'Ada Lovelace', '--email', 'ada@example.com', '--generate', '--default']);
    expect(made).toMatchObject({ name: 'Ada Lovelace', isDefault: true });
    const keyFile = makeSshKey(useTempDir(), 'work');
    const imported = await h.rdv(['identity', 'add', 'Work', '--email', 'ada@work.example', '--key', keyFile.privateKeyPath]);
    expect(imported.code).toBe(0);
    expect(imported.stdout.trim()).toMatch(/^ssh-ed25519 \S+ ada@work.example$/);
    expect(imported.stderr).toMatch(/created identity Work <ada@work.example>/);

    const table = await h.rdv(['identity', 'list']);
    expect(table.stdout).toMatch(/^NAME\s+EMAIL\s+ID\s+KEY\s+DEFAULT\s+CREATED\n/);
    expect(table.stdout).toMatch(/Ada Lovelace\s+ada@example.com\s+\S+\s+SHA256:\S+\s+yes/);
    expect((await h.rdv(['identity', 'show', 'ada@work.example'])).stdout).toContain(keyFile.publicKey.split(' ')[1]);
    expect((await h.json(['identity', 'default'])).identity.id).toBe(made.id);
    const bad = await h.rdv(['identity', 'add', 'X', '--email', 'x@example.com']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--generate or --key/);
    expect((await h.rdv(['identity', 'add', '--help'])).stdout).toMatch(/Examples:\n\s+rdv identity add/);

    const sshd = await useSshd({ scope: 'test', authorizedKeys: [made.publicKey] });
    const server = useRepo();
    const url = `ssh://root@127.0.0.1:${sshd.port}${server.remote}`;
    const added = await h.rdv(['repo', 'add', url], REMOTE);
    expect(added.code, added.stderr).toBe(0);
    // git's own progress, followed on the event stream, on stderr.
    expect(added.stderr).toMatch(/objects: .*done\./);
    expect(added.stdout).toMatch(/cloned ssh:\/\/root@127\.0\.0\.1:\d+\/\S+ \(\S+\) ready, default branch main, host key ssh-ed25519 SHA256:/);
    const repo = (await h.json(['repo', 'list'])).items.find((r: any) => r.url === url && r.status === 'ready');
    expect(repo).toMatchObject({ url, status: 'ready' });
    expect((await remoteJson(['repo', 'fetch', repo.id.slice(0, 8)])).status).toBe('ready');

    const session = await remoteJson(['session', 'create', 'ada-work', '--repository', repo.id, '--branch', 'ada-1']);
    expect(session.identityId).toBe(made.id);
    const wt = (await h.json(['worktree', 'list'])).items.find((w: any) => w.id === session.worktreeId);
    writeFileSync(join(wt.path, 'ada.txt'), 'x\n');
    git(wt.path, 'add', 'ada.txt');
    git(wt.path, 'commit', '-q', '-m', 'by ada');
    const pushed = await h.rdv(['worktree', 'push', wt.path], REMOTE);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toMatch(/pushed ada-1 to ssh:\/\/\S+ \(ada-1\)/);
    expect(git(server.remote, 'log', '-1', '--format=%an <%ae> %s', 'ada-1')).toBe('Ada Lovelace <ada@example.com> by ada');

    const hostile = await h.rdv(['repo', 'add', 'ext::sh -c touch% /tmp/rdv-cli-pwned']);
    expect(hostile.code).not.toBe(0);
    expect(hostile.stderr).toMatch(/url: must not contain spaces/);
    expect((await h.rdv(['repo', 'add', 'fd::3'])).stderr).toMatch(/remote helpers \(fd::\) are not allowed/);
    const refused = await h.rdv(['repo', 'add', url, '--identity', 'Work'], REMOTE);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/refused the identity's key/);

    // The private keys are in no output, no log and not in the database as plain text.
    const body = keyFile.privateKey.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
    const logs = readdirSync(join(h.home, 'server')).filter((n) => n.endsWith('.log')).map((n) => readFileSync(join(h.home, 'server', n), 'latin1'));
    const db = readdirSync(h.home).filter((n) => n.startsWith('sqlite.db')).map((n) => readFileSync(join(h.home, n), 'latin1'));
    expect(logs.join('')).toContain('identity created');
    for (const text of [...logs, ...db, JSON.stringify(await h.json(['identity', 'list']))]) {
      expect(text).not.toContain('PRIVATE KEY');
      for (let i = 0; i + 32 <= body.length; i += 32) expect(text).not.toContain(body.slice(i, i + 32));
    }
  });
});
