import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSecretBox } from '../auth/index.js';
import { parseRepositoryUrl, type RdvEvent } from '../schemas/index.js';
import { makeSshKey, useRepo, useSessions, useSshd, useTempDir, waitFor } from '../testing/index.js';
import { createWorktreeService } from '../worktree/index.js';
import { createIdentityService, createRepositoryService, createSessionIdentities, pushWorktree } from './index.js';

const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' }).trim();

/** The session stack with identities, repositories and worktrees over one temp RDV_HOME. */
function setup() {
  const rdvHome = useTempDir('test', 'rdv-h-');
  const runDir = join(rdvHome, 'run');
  const base = useSessions('test');
  const identities = createIdentityService({ db: base.db, box: openSecretBox(join(rdvHome, 'server')), events: base.events, log: base.log });
  const repositories = createRepositoryService({ db: base.db, identities, events: base.events, log: base.log, home: rdvHome, runDir });
  const worktrees = createWorktreeService({ db: base.db, log: base.log, root: '', home: rdvHome, trashRetentionDays: 30, staleDays: 14, repositories });
  const work = createSessionIdentities({ db: base.db, identities, sessionRunDir: join(runDir, 'sessions'), knownHosts: repositories.knownHosts, log: base.log });
  const sessions = base.restart({ worktrees, identities: work });
  const published: RdvEvent[] = [];
  base.events.subscribe(base.userId, (e) => published.push(e));
  return { ...base, rdvHome, identities, repositories, worktrees, work, sessions, published };
}

/** A bare repository on the sshd's side with one commit on main. */
function serverRepo() {
  const repo = useRepo('test');
  return { bare: repo.remote, url: (port: number) => `ssh://root@127.0.0.1:${port}${repo.remote}` };
}

describe('identities', () => {
  it('generates and imports keys, keeps them sealed, and refuses passphrase-protected ones', async () => {
    const s = setup();
    const made = await s.identities.create(s.userId, { name: 'Ada Lovelace', email: 'ada@example.com', generate: true, makeDefault: true });
    expect(made.publicKey).toMatch(/^ssh-ed25519 AAAA\S+ ada@example.com$/);
    expect(made.fingerprint).toMatch(/^SHA256:/);
    expect(made.isDefault).toBe(true);
    const dir = useTempDir();
    const key = makeSshKey(dir, 'imported');
    const imported = await s.identities.create(s.userId, { name: 'Bob', email: 'bob@example.com', privateKey: key.privateKey, makeDefault: false });
    expect(imported.publicKey.split(' ').slice(0, 2)).toEqual(key.publicKey.split(' ').slice(0, 2));
    expect(JSON.stringify(s.identities.list(s.userId))).not.toContain('PRIVATE KEY');

    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret', '-f', join(dir, 'locked')]);
    await expect(s.identities.create(s.userId, { name: 'C', email: 'c@example.com', privateKey: readFileSync(join(dir, 'locked'), 'utf8'), makeDefault: false })).rejects.toThrow(/passphrase/);
    await expect(s.identities.create(s.userId, { name: 'C', email: 'c@example.com', privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key at all, just text that looks long enough\n-----END OPENSSH PRIVATE KEY-----\n', makeDefault: false })).rejects.toThrow(/cannot read/);

    // The key body is in no row of the database as plain text, only sealed.
    const body = key.privateKey.split('\n').slice(1, -2).join('');
    const dbText = s.db.$client.prepare('select * from identities').all();
    expect(JSON.stringify(dbText)).not.toContain(body.slice(0, 40));
    expect(s.identities.unseal(s.userId, imported.id).privateKey.toString()).toBe(key.privateKey);

    // Defaults: folder → parent → user.
    const parent = s.folders.create(s.userId, { name: 'work' });
    const child = s.folders.create(s.userId, { name: 'client', parentId: parent.id });
    expect(s.identities.effective(s.userId, child.id)).toMatchObject({ identity: { id: made.id }, source: 'user' });
    s.identities.setDefault(s.userId, imported.id, parent.id);
    expect(s.identities.effective(s.userId, child.id)).toMatchObject({ identity: { id: imported.id }, source: parent.id });
    s.identities.setDefault(s.userId, null, parent.id);
    expect(s.identities.effective(s.userId, child.id).source).toBe('user');
  });
});

describe('repositories over ssh', () => {
  it('clones as the identity, works in a worktree session as it, pushes, and stops the agent on close', async () => {
    const s = setup();
    const me = await s.identities.create(s.userId, { name: 'Ada Lovelace', email: 'ada@example.com', generate: true, makeDefault: true });
    const sshd = await useSshd({ scope: 'test', authorizedKeys: [me.publicKey] });
    const server = serverRepo();

    const repo = await s.repositories.create(s.userId, { url: server.url(sshd.port), wait: true });
    expect(repo).toMatchObject({ status: 'ready', defaultBranch: 'main', identityId: me.id });
    expect(repo.hostKey).toMatch(/^ssh-ed25519 SHA256:/);
    expect(readFileSync(s.repositories.knownHosts, 'utf8')).toContain(sshd.knownHostsLine().split(' ')[2]);
    expect(s.published.some((e) => e.type === 'repository.progress')).toBe(true);
    expect(git(repo.path, 'rev-parse', 'refs/remotes/origin/main')).toBe(git(server.bare, 'rev-parse', 'main'));

    const session = await s.sessions.create(s.userId, { name: 'feature', kind: 'shell', worktree: { repositoryId: repo.id, branch: 'feature-x' } });
    expect(session.identityId).toBe(me.id);
    const wt = s.worktrees.get(s.userId, session.worktreeId!);
    const socket = join(s.rdvHome, 'run', 'sessions', session.id, 'agent.sock');
    expect(existsSync(socket)).toBe(true);
    // Inside the session: a commit carries the identity's author, and a push reaches the server through its agent.
    await s.tmux.sendLiteral(session.tmuxName, `echo $SSH_AUTH_SOCK > sock.txt && git add sock.txt && git commit -q -m from-session && git push -q origin HEAD:refs/heads/from-session; echo pushed-$? > done.txt`);
    await s.tmux.sendKeys(session.tmuxName, ['Enter']);
    await waitFor(() => existsSync(join(wt.path, 'done.txt')), 'the push in the session', 20_000);
    expect(readFileSync(join(wt.path, 'done.txt'), 'utf8').trim()).toBe('pushed-0');
    expect(readFileSync(join(wt.path, 'sock.txt'), 'utf8').trim()).toBe(socket);
    expect(git(server.bare, 'log', '-1', '--format=%an <%ae>', 'from-session')).toBe('Ada Lovelace <ada@example.com>');

    // A base named as the remote names it starts from origin's branch.
    const second = await s.worktrees.create(s.userId, { repositoryId: repo.id, branch: 'from-main', base: 'main' });
    expect(second.base).toBe('origin/main');
    expect(git(second.path, 'rev-parse', 'HEAD')).toBe(git(server.bare, 'rev-parse', 'main'));

    // The api's push: the branch lands on the server's bare repository.
    const pushed = await pushWorktree(s, s.userId, wt);
    expect(pushed).toMatchObject({ branch: 'feature-x', identityId: me.id, compareUrl: null });
    expect(git(server.bare, 'rev-parse', 'feature-x')).toBe(git(wt.path, 'rev-parse', 'HEAD'));

    // The api stops: the agent goes; the api starts again: the session's agent is back on the same socket.
    await s.work.dispose();
    expect(existsSync(socket)).toBe(false);
    const again = createSessionIdentities({ db: s.db, identities: s.identities, sessionRunDir: join(s.rdvHome, 'run', 'sessions'), knownHosts: s.repositories.knownHosts, log: s.log });
    expect(await again.resumeAgents()).toBe(1);
    expect(execFileSync('ssh-add', ['-L'], { env: { ...process.env, SSH_AUTH_SOCK: socket }, encoding: 'utf8' })).toContain(me.publicKey.split(' ')[1]);

    await s.restart({ worktrees: s.worktrees, identities: again }).close(s.userId, session.id);
    await waitFor(() => !existsSync(socket), 'the agent socket to go');

    // Deleting an identity stops the agents that hold its key at once.
    const watching = createSessionIdentities({ db: s.db, events: s.events, identities: s.identities, sessionRunDir: join(s.rdvHome, 'run', 'sessions'), knownHosts: s.repositories.knownHosts, log: s.log });
    const other = await s.sessions.create(s.userId, { name: 'other', kind: 'shell', worktree: { repositoryId: repo.id, branch: 'other-x' } });
    const otherSocket = await watching.ensureAgent({ id: other.id, userId: s.userId, identityId: me.id });
    expect(existsSync(otherSocket)).toBe(true);
    s.identities.remove(s.userId, me.id);
    await waitFor(() => !existsSync(otherSocket), 'the deleted identity\'s agent to stop');
    await watching.dispose();
    await s.sessions.close(s.userId, other.id);
  });

  it('refuses a key the server does not know and a host key that changed, with messages that say what to do', async () => {
    const s = setup();
    const me = await s.identities.create(s.userId, { name: 'Ada', email: 'ada@example.com', generate: true, makeDefault: true });
    const stranger = await s.identities.create(s.userId, { name: 'Eve', email: 'eve@example.com', generate: true, makeDefault: false });
    const sshd = await useSshd({ scope: 'test', authorizedKeys: [me.publicKey] });
    const server = serverRepo();

    await expect(s.repositories.create(s.userId, { url: server.url(sshd.port), identityId: stranger.id, wait: true })).rejects.toThrow(/refused the identity's key/);
    const failed = s.repositories.list(s.userId).find((r) => r.identityId === stranger.id)!;
    expect(failed).toMatchObject({ status: 'failed' });

    const repo = await s.repositories.create(s.userId, { url: server.url(sshd.port), wait: true });
    await sshd.replaceHostKey();
    const err = await s.repositories.fetch(s.userId, repo.id).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'conflict' });
    expect((err as Error).message).toMatch(new RegExp(`host key of \\[127\\.0\\.0\\.1\\]:${sshd.port} changed.*rdv repo forget-host`));
    expect(await s.repositories.forgetHost(`[127.0.0.1]:${sshd.port}`)).toBe(true);
    expect((await s.repositories.fetch(s.userId, repo.id)).status).toBe('ready');
  });

  it('refuses hostile URLs before git or ssh sees them', async () => {
    const s = setup();
    for (const url of ['-oProxyCommand=touch /tmp/pwned', 'ext::sh -c touch% /tmp/pwned', 'fd::3', '--upload-pack=touch /tmp/pwned', 'ssh://-oProxyCommand=x/repo', 'git@-oProxyCommand=x:repo', 'ssh://host/-x/repo']) {
      expect(parseRepositoryUrl(url).ok, url).toBe(false);
      await expect(s.repositories.create(s.userId, { url, wait: true }), url).rejects.toMatchObject({ code: 'invalid_input' });
    }
    await expect(s.repositories.create(s.userId, { url: 'file:///etc', wait: true })).rejects.toThrow(/not a git repository/);
    const local = useRepo('test');
    expect((await s.repositories.create(s.userId, { url: local.remote, wait: true })).status).toBe('ready');
    expect(parseRepositoryUrl('git@github.com:owner/repo.git')).toMatchObject({ ok: true, value: { kind: 'ssh', host: 'github.com', path: 'owner/repo.git' } });
  });
});
