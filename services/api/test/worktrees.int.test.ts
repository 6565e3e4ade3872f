import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useRepo, waitFor } from '@rdv/core/testing';
import { useApi } from './helpers.js';

const api = await useApi();

describe('worktrees through the api', () => {
  it('creates, lists, reports and removes worktrees', async () => {
    const repo = useRepo();
    const created = await api.call('POST', '/api/worktrees', { repoPath: repo.path, branch: 'feat-a' });
    expect(created.status).toBe(201);
    const wt = created.body;
    expect(wt).toMatchObject({ branch: 'feat-a', path: join(`${repo.path}-worktrees`, 'feat-a'), status: 'active' });
    expect((await api.call('GET', `/api/worktrees?repoPath=${encodeURIComponent(repo.path)}`)).body.items.map((w: any) => w.id)).toEqual([wt.id]);
    writeFileSync(join(wt.path, 'wip.txt'), 'x');
    const st = await api.call('GET', `/api/worktrees/status?id=${wt.id}`);
    expect(st.body.items[0].git).toMatchObject({ exists: true, branch: 'feat-a', dirtyFiles: ['wip.txt'], merged: false });
    const refused = await api.call('DELETE', '/api/worktrees', { id: wt.id });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/uncommitted file\(s\): wip.txt/);
    expect(existsSync(wt.path)).toBe(true);
    const forced = await api.call('DELETE', '/api/worktrees', { path: wt.path, force: true });
    expect(forced.body.status).toBe('removed');
    expect(existsSync(wt.path)).toBe(false);
    const report = await api.call('POST', '/api/worktrees/cleanup', { repoPath: repo.path });
    expect(report.status).toBe(200);
    expect(report.body.items).toEqual([]);
  });

  it('refuses hostile input and creates nothing outside the worktree location', async () => {
    const repo = useRepo();
    const parent = dirname(repo.path);
    for (const branch of ['../x', '-x', 'has space', 'ctl\u0001char', '../../../../tmp/evil']) {
      const r = await api.call('POST', '/api/worktrees', { repoPath: repo.path, branch });
      expect(r.status, branch).toBe(400);
      const s = await api.call('POST', '/api/sessions', { name: 'wt', kind: 'shell', worktree: { repoPath: repo.path, branch } });
      expect(s.status, branch).toBe(400);
    }
    expect((await api.call('POST', '/api/worktrees', { repoPath: 'relative/repo', branch: 'x' })).status).toBe(400);
    expect((await api.call('POST', '/api/worktrees', { repoPath: '/proc', branch: 'x' })).status).toBe(400);
    expect((await api.call('POST', '/api/sessions', { name: 'wt', kind: 'shell', cwd: '/tmp', worktree: { repoPath: repo.path, branch: 'x' } })).status).toBe(400);
    expect(readdirSync(parent).filter((n) => n !== 'app' && n !== 'origin.git' && n !== 'app-worktrees')).toEqual([]);
    expect(existsSync('/tmp/evil')).toBe(false);
  });

  it('starts a session in a new worktree; closing it trashes the worktree and restore brings it back', async () => {
    const repo = useRepo();
    const created = await api.call('POST', '/api/sessions', { name: 'wt-session', kind: 'shell', worktree: { repoPath: repo.path, branch: 'feat-b' } });
    expect(created.status).toBe(201);
    const s = created.body;
    const wtPath = join(`${repo.path}-worktrees`, 'feat-b');
    expect(s.cwd).toBe(wtPath);
    expect(s.worktreeId).toBeTruthy();
    await api.call('POST', `/api/sessions/${s.id}/exec`, { command: 'echo keep-me > notes.txt && pwd' });
    await waitFor(() => existsSync(join(wtPath, 'notes.txt')), 'file written in the worktree');

    const closed = await api.call('DELETE', `/api/sessions/${s.id}`);
    expect(closed.body.status).toBe('trashed');
    expect(existsSync(wtPath)).toBe(false);
    const trash = (await api.call('GET', '/api/trash')).body.items;
    const entry = trash.find((t: any) => t.sessionId === s.id);
    expect(entry).toMatchObject({ worktreeId: s.worktreeId, originalPath: wtPath, sessionName: 'wt-session' });
    expect(entry.trashPath.startsWith(join(api.home, 'trash'))).toBe(true);
    expect(readFileSync(join(entry.trashPath, 'notes.txt'), 'utf8')).toBe('keep-me\n');
    expect((await api.call('DELETE', `/api/sessions/${s.id}`)).body.status).toBe('trashed');

    const restored = await api.call('POST', `/api/trash/${entry.id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.session).toMatchObject({ id: s.id, status: 'active', cwd: wtPath });
    expect(readFileSync(join(wtPath, 'notes.txt'), 'utf8')).toBe('keep-me\n');
    expect(repo.git('worktree', 'list')).toContain(wtPath);
    await api.call('POST', `/api/sessions/${s.id}/exec`, { command: 'cat notes.txt' });
    await waitFor(async () => (await api.call('GET', `/api/sessions/${s.id}/scrollback`)).body.text.includes('keep-me'), 'restored session works');
    expect((await api.call('GET', '/api/trash')).body.items.find((t: any) => t.id === entry.id)).toBeUndefined();

    await api.call('DELETE', `/api/sessions/${s.id}`);
    const again = (await api.call('GET', '/api/trash')).body.items.find((t: any) => t.sessionId === s.id);
    const emptied = await api.call('DELETE', `/api/trash/${again.id}`);
    expect(emptied.body).toEqual({ emptied: 1 });
    expect(existsSync(again.trashPath)).toBe(false);
    expect(repo.git('worktree', 'list')).not.toContain('feat-b');
    expect(repo.git('branch', '--list', 'feat-b')).toContain('feat-b');
    expect((await api.call('DELETE', `/api/trash/${again.id}`)).status).toBe(404);
  });

  it('two sessions for one branch at once: one worktree, one conflict', async () => {
    const repo = useRepo();
    const [a, b] = await Promise.all([
      api.call('POST', '/api/sessions', { name: 'race-a', kind: 'shell', worktree: { repoPath: repo.path, branch: 'race' } }),
      api.call('POST', '/api/sessions', { name: 'race-b', kind: 'shell', worktree: { repoPath: repo.path, branch: 'race' } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body.error.message).toMatch(/already checked out/);
    const names = (await api.call('GET', '/api/sessions')).body.items.map((s: any) => s.name);
    expect(names.filter((n: string) => n.startsWith('race-'))).toHaveLength(1);
  });

  it('a failing setup command leaves no worktree and no session, and says why', async () => {
    const repo = useRepo();
    repo.git('config', 'rdv.worktreeSetup', 'echo npm-install-failed >&2; exit 1');
    const r = await api.call('POST', '/api/sessions', { name: 'broken-setup', kind: 'shell', worktree: { repoPath: repo.path, branch: 'broken' } });
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/setup command .* failed with exit 1/);
    expect(r.body.error.message).toMatch(/npm-install-failed/);
    expect(existsSync(join(`${repo.path}-worktrees`, 'broken'))).toBe(false);
    expect(repo.git('branch', '--list', 'broken').trim()).toBe('');
    const all = (await api.call('GET', '/api/sessions?status=all')).body.items;
    expect(all.find((s: any) => s.name === 'broken-setup')).toBeUndefined();
  });
});
