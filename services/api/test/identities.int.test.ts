import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSshKey, useRepo, useSshd, useTempDir, waitFor } from '@rdv/core/testing';
import { openSse, useApi } from './helpers.js';

const api = await useApi();
const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' }).trim();

/** Every byte of the database (main file and WAL) as latin1 text, to look for secrets in. */
const dbBytes = () =>
  readdirSync(api.home)
    .filter((n) => n.startsWith('sqlite.db'))
    .map((n) => readFileSync(join(api.home, n)).toString('latin1'))
    .join('');

describe('identities through the api', () => {
  it('creates, imports, lists and deletes identities without ever giving out a private key', async () => {
    const made = await api.call('POST', '/api/identities', { name: 'Ada Lovelace', email: 'ada@example.com', generate: true, makeDefault: true });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.com', isDefault: true });
    expect(made.body.publicKey).toMatch(/^ssh-ed25519 /);

    const key = makeSshKey(useTempDir(), 'imported');
    const imported = await api.call('POST', '/api/identities', { name: 'Bob', email: 'bob@example.com', privateKey: key.privateKey });
    expect(imported.status).toBe(201);
    expect(imported.body.publicKey.split(' ')[1]).toBe(key.publicKey.split(' ')[1]);

    const responses = [
      made,
      imported,
      await api.call('GET', '/api/identities'),
      await api.call('GET', `/api/identities/${imported.body.id}`),
      await api.call('PATCH', `/api/identities/${imported.body.id}`, { name: 'Bob B' }),
      await api.call('GET', '/api/identities/default'),
    ];
    for (const r of responses) expect(JSON.stringify(r.body)).not.toMatch(/PRIVATE KEY|sealed/i);
    expect(responses[4]!.body.name).toBe('Bob B');
    expect(responses[5]!.body).toMatchObject({ identity: { id: made.body.id }, source: 'user' });

    // The key body is nowhere in the database file as plain text.
    const body = key.privateKey.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
    const bytes = dbBytes();
    expect(bytes).toContain(imported.body.publicKey.split(' ')[1]);
    for (let i = 0; i + 32 <= body.length; i += 32) expect(bytes).not.toContain(body.slice(i, i + 32));

    const folder = await api.call('POST', '/api/folders', { name: 'clients' });
    const sub = await api.call('POST', '/api/folders', { name: 'acme', parentId: folder.body.id });
    expect((await api.call('PUT', '/api/identities/default', { identityId: imported.body.id, folderId: folder.body.id })).status).toBe(200);
    expect((await api.call('GET', `/api/identities/default?folderId=${sub.body.id}`)).body).toMatchObject({ identity: { id: imported.body.id }, source: folder.body.id });

    const locked = join(useTempDir(), 'locked');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'pw', '-f', locked]);
    const refused = await api.call('POST', '/api/identities', { name: 'L', email: 'l@example.com', privateKey: readFileSync(locked, 'utf8') });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/passphrase/);
    expect((await api.call('POST', '/api/identities', { name: 'X', email: 'x@example.com' })).status).toBe(400);

    expect((await api.call('DELETE', `/api/identities/${imported.body.id}`)).body).toEqual({ id: imported.body.id, deleted: true });
    expect((await api.call('GET', `/api/identities/${imported.body.id}`)).status).toBe(404);
    const doc = (await api.call('GET', '/api/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/identities', '/api/repositories', '/api/worktrees/push', '/api/repositories/{id}/fetch']));
  });
});

describe('repositories through the api', () => {
  it('clones over ssh with progress on the event stream, starts a worktree session as the identity, and pushes', async () => {
    const me = (await api.call('POST', '/api/identities', { name: 'Grace Hopper', email: 'grace@example.com', generate: true })).body;
    const sshd = await useSshd({ scope: 'test', authorizedKeys: [me.publicKey] });
    const server = useRepo();
    const sse = openSse(api.socket, api.ownerToken);
    await waitFor(() => sse.status() === 200, 'the event stream');

    const started = await api.call('POST', '/api/repositories', { url: `ssh://root@127.0.0.1:${sshd.port}${server.remote}`, identityId: me.id });
    expect(started.status).toBe(202);
    expect(started.body.status).toBe('cloning');
    const done = await waitFor(
      () => sse.events.find((e) => e.event === 'repository.updated' && e.data.data.repository.id === started.body.id && e.data.data.repository.status !== 'cloning'),
      'the clone to end',
      20_000,
    );
    expect(done.data.data.repository).toMatchObject({ status: 'ready', defaultBranch: 'main' });
    expect(done.data.data.repository.hostKey).toMatch(/SHA256:/);
    expect(sse.events.some((e) => e.event === 'repository.progress' && e.data.data.repositoryId === started.body.id)).toBe(true);
    sse.close();

    server.commit('later.txt', 'later\n');
    git(server.path, 'push', '-q', 'origin', 'main');
    const session = await api.call('POST', '/api/sessions', { name: 'as-grace', kind: 'shell', worktree: { repositoryId: started.body.id, branch: 'grace-1' } });
    expect(session.status).toBe(201);
    expect(session.body.identityId).toBe(me.id);
    const wt = (await api.call('GET', '/api/worktrees')).body.items.find((w: any) => w.id === session.body.worktreeId);
    // Fetched before the worktree was made: the commit pushed after the clone is in it.
    expect(existsSync(join(wt.path, 'later.txt'))).toBe(true);
    await api.call('POST', `/api/sessions/${session.body.id}/exec`, { command: 'echo hi > grace.txt && git add grace.txt && git commit -q -m by-grace && echo ok > committed' });
    await waitFor(() => existsSync(join(wt.path, 'committed')), 'the commit in the session');
    expect(git(wt.path, 'log', '-1', '--format=%an <%ae>')).toBe('Grace Hopper <grace@example.com>');

    const pushed = await api.call('POST', '/api/worktrees/push', { id: wt.id });
    expect(pushed.status).toBe(200);
    expect(pushed.body).toMatchObject({ branch: 'grace-1', remoteBranch: 'grace-1', identityId: me.id, compareUrl: null });
    expect(git(server.remote, 'log', '-1', '--format=%an %s', 'grace-1')).toBe('Grace Hopper by-grace');

    const removeRefused = await api.call('DELETE', `/api/repositories/${started.body.id}`);
    expect(removeRefused.status).toBe(409);
    const refetched = await api.call("POST", `/api/repositories/${started.body.id}/fetch`);
    expect(refetched.body, JSON.stringify(refetched.body)).toMatchObject({ status: "ready" });
  });

  it('refuses hostile URLs, a key the server does not know and a changed host key', async () => {
    for (const url of ['-oProxyCommand=touch /tmp/rdv-pwned', 'ext::sh -c touch% /tmp/rdv-pwned', 'fd::3', '--upload-pack=touch /tmp/rdv-pwned', 'file:///etc', 'ssh://-oProxyCommand=x/r']) {
      const r = await api.call('POST', '/api/repositories', { url, wait: true });
      expect(r.status, url).toBe(400);
      expect(r.body.error.code).toBe('invalid_input');
    }
    expect(existsSync('/tmp/rdv-pwned')).toBe(false);

    const known = (await api.call('POST', '/api/identities', { name: 'Known', email: 'known@example.com', generate: true })).body;
    const stranger = (await api.call('POST', '/api/identities', { name: 'Stranger', email: 'stranger@example.com', generate: true })).body;
    const sshd = await useSshd({ scope: 'test', authorizedKeys: [known.publicKey] });
    const server = useRepo();
    const url = `ssh://root@127.0.0.1:${sshd.port}${server.remote}`;
    const wrong = await api.call('POST', '/api/repositories', { url, identityId: stranger.id, wait: true });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.message).toMatch(/refused the identity's key/);

    const ok = await api.call('POST', '/api/repositories', { url, identityId: known.id, wait: true });
    expect(ok.status).toBe(201);
    await sshd.replaceHostKey();
    const changed = await api.call('POST', `/api/repositories/${ok.body.id}/fetch`);
    expect(changed.status).toBe(409);
    expect(changed.body.error.message).toMatch(/host key of \[127\.0\.0\.1\]:\d+ changed/);
    expect((await api.call('POST', '/api/repositories/forget-host', { host: `[127.0.0.1]:${sshd.port}` })).body.forgotten).toBe(true);
    expect((await api.call('POST', `/api/repositories/${ok.body.id}/fetch`)).body.status).toBe('ready');
  });
});
