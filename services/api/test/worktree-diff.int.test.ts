import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { describe, expect, it } from 'vitest';
import { socketRequest } from '@rdv/core/lifecycle';
import { useRepo } from '@rdv/core/testing';
import { useApi } from './helpers.js';

const api = await useApi({ RDV_ALLOWED_EMAILS: 'eve@example.com' });

/** A session in a worktree of a new repository, with a commit, an uncommitted change and an untracked file. */
async function sessionWithWork() {
  const repo = useRepo();
  repo.commit('app.js', 'const a = 1;\nconst b = 2;\n');
  repo.git('push', '-q', 'origin', 'main');
  const created = await api.call('POST', '/api/sessions', { name: `review-${Date.now()}`, kind: 'shell', worktree: { repoPath: repo.path, branch: 'feat-review' } });
  expect(created.status).toBe(201);
  const session = created.body;
  const wtPath = session.cwd as string;
  const git = (...args: string[]) => repo.git('-C', wtPath, ...args);
  writeFileSync(join(wtPath, 'committed.txt'), 'one\ntwo\n');
  git('add', '--', 'committed.txt');
  git('commit', '-q', '-m', 'add committed');
  writeFileSync(join(wtPath, 'app.js'), 'const a = 1;\nconst b = 3;\n');
  writeFileSync(join(wtPath, 'untracked.txt'), 'new\n');
  return { repo, session, wtPath, git };
}

describe('GET /api/worktrees/diff', () => {
  it('shows a session worktree\'s commit, uncommitted change and untracked file, by session, id or path', async () => {
    const { session, wtPath, git } = await sessionWithWork();
    const statusBefore = git('status', '--porcelain');
    const r = await api.call('GET', `/api/worktrees/diff?sessionId=${session.id}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ worktreeId: session.worktreeId, sessionId: session.id, path: wtPath, branch: 'feat-review', base: 'origin/main', additions: 4, deletions: 1, truncated: false });
    const files = Object.fromEntries(r.body.files.map((f: any) => [f.path, f]));
    expect(Object.keys(files).sort()).toEqual(['app.js', 'committed.txt', 'untracked.txt']);
    expect(files['committed.txt']).toMatchObject({ status: 'added', untracked: false, additions: 2, deletions: 0 });
    expect(files['app.js']).toMatchObject({ status: 'modified', additions: 1, deletions: 1 });
    expect(files['app.js'].patch).toContain('-const b = 2;\n+const b = 3;');
    expect(files['untracked.txt']).toMatchObject({ status: 'added', untracked: true, additions: 1 });
    expect(git('status', '--porcelain')).toBe(statusBefore);

    const byId = await api.call('GET', `/api/worktrees/diff?id=${session.worktreeId}`);
    const byPath = await api.call('GET', `/api/worktrees/diff?path=${encodeURIComponent(wtPath)}`);
    expect(byId.body.files).toEqual(r.body.files);
    expect(byPath.body.files).toEqual(r.body.files);
    // Against the branch's own HEAD only the uncommitted work is left.
    const againstHead = await api.call('GET', `/api/worktrees/diff?sessionId=${session.id}&base=HEAD`);
    expect(againstHead.body.files.map((f: any) => f.path).sort()).toEqual(['app.js', 'untracked.txt']);
  });

  it('caps the answer and says what it left out', async () => {
    const { session, wtPath } = await sessionWithWork();
    writeFileSync(join(wtPath, 'big.txt'), 'a fairly long line of text\n'.repeat(200));
    const r = await api.call('GET', `/api/worktrees/diff?sessionId=${session.id}&maxFileBytes=1024`);
    const big = r.body.files.find((f: any) => f.path === 'big.txt');
    expect(big).toMatchObject({ truncated: true, patch: '', additions: 200 });
    expect(big.reason).toMatch(/too large to show/);
    expect(r.body).toMatchObject({ truncated: true, maxFileBytes: 1024, maxBytes: 1024 * 1024 });
    expect(r.body.files.find((f: any) => f.path === 'app.js').truncated).toBe(false);
  });

  it('refuses bad references and hostile bases, and keeps other users out', async () => {
    const { session, wtPath } = await sessionWithWork();
    const status = async (query: string) => (await api.call('GET', `/api/worktrees/diff?${query}`)).status;
    expect(await status('')).toBe(400);
    expect(await status(`sessionId=${session.id}&id=${session.worktreeId}`)).toBe(400);
    expect(await status(`sessionId=${session.id}&base=--output%3D%2Ftmp%2Fx`)).toBe(400);
    expect(await status(`sessionId=${session.id}&base=no-such-branch`)).toBe(400);
    expect(await status(`sessionId=${session.id}&maxBytes=10`)).toBe(400);
    expect(await status('path=relative%2Fdir')).toBe(400);
    expect(await status(`path=${encodeURIComponent(join(wtPath, '..', '..', 'app'))}`)).toBe(404);
    expect(await status('path=%2Fetc')).toBe(404);
    const plain = await api.call('POST', '/api/sessions', { name: `plain-${Date.now()}`, kind: 'shell' });
    const noWorktree = await api.call('GET', `/api/worktrees/diff?sessionId=${plain.body.id}`);
    expect(noWorktree.status).toBe(400);
    expect(noWorktree.body.error.message).toMatch(/has no worktree/);

    const serviceToken = readFileSync(join(api.home, 'server', 'service-token'), 'utf8').trim();
    const eve = (await api.edge('/resolve-user', { email: 'eve@example.com' })).body.id;
    const asEve = (query: string) =>
      socketRequest<any>(api.socket, `/api/worktrees/diff?${query}`, { method: 'GET', headers: { 'x-rdv-service-token': serviceToken, 'x-rdv-user-id': eve } });
    expect((await asEve(`sessionId=${session.id}`)).status).toBe(404);
    expect((await asEve(`id=${session.worktreeId}`)).status).toBe(404);
    expect((await asEve(`path=${encodeURIComponent(wtPath)}`)).status).toBe(404);
  });

  it('is the worktree_diff tool of MCP over HTTP', async () => {
    const { session } = await sessionWithWork();
    const agent = new Agent({ connect: { socketPath: api.socket } });
    const transport = new StreamableHTTPClientTransport(new URL('http://rdv/mcp'), {
      requestInit: { headers: { authorization: `Bearer ${api.ownerToken}` } },
      fetch: (url, init) => undiciFetch(url, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>,
    });
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const result = await client.callTool({ name: 'worktree_diff', arguments: { session: session.name, stat: true } });
      expect(result.isError).toBeFalsy();
      const data = result.structuredContent as any;
      expect(data.files.map((f: any) => [f.path, f.additions, f.deletions]).sort()).toEqual([
        ['app.js', 1, 1],
        ['committed.txt', 2, 0],
        ['untracked.txt', 1, 0],
      ]);
      expect(data.files.every((f: any) => f.patch === undefined)).toBe(true);
    } finally {
      await client.close();
      await agent.close();
    }
  });
});
