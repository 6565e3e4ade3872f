import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureOwner, resolveUserByEmail } from '../auth/index.js';
import { testLogger, useDb, useRepo, useTempDir } from '../testing/index.js';
import { createWorktreeService, parseWorktreeList } from './index.js';

function setup(root = '') {
  const { db } = useDb();
  const home = useTempDir();
  const worktrees = createWorktreeService({ db, log: testLogger(), root, home, trashRetentionDays: 30, staleDays: 14 });
  const owner = ensureOwner(db, { email: '', cliTokenPath: join(home, 'cli-token'), log: testLogger() }).owner;
  return { db, home, worktrees, userId: owner.id };
}

describe('parseWorktreeList', () => {
  it('reads porcelain output', () => {
    const text = 'worktree /r\nHEAD abc\nbranch refs/heads/main\n\nworktree /r-wt/x\nHEAD def\ndetached\nprunable gitdir file points to non-existent location\n\n';
    expect(parseWorktreeList(text)).toEqual([
      { path: '/r', head: 'abc', branch: 'main', bare: false, detached: false, locked: false, prunable: false },
      { path: '/r-wt/x', head: 'def', branch: null, bare: false, detached: true, locked: false, prunable: true },
    ]);
  });
});

describe('worktrees (real git)', () => {
  it('creates a new branch beside the repo, copying .env files and .worktreeinclude entries, and runs setup', async () => {
    const { worktrees, userId } = setup();
    const repo = useRepo();
    writeFileSync(join(repo.path, '.gitignore'), '.env*\nlocal/\n');
    writeFileSync(join(repo.path, '.env'), 'SECRET=1\n');
    writeFileSync(join(repo.path, '.env.local'), 'LOCAL=1\n');
    mkdirSync(join(repo.path, 'local'));
    writeFileSync(join(repo.path, 'local', 'cache.json'), '{}');
    writeFileSync(join(repo.path, '.worktreeinclude'), '# extra files\nlocal\n../outside\n/etc/passwd\n');
    repo.git('config', 'rdv.worktreeSetup', 'echo setting-up && touch .setup-done');
    const wt = await worktrees.create(userId, { repoPath: repo.path, branch: 'feature/login' });
    expect(wt.path).toBe(join(`${repo.path}-worktrees`, 'feature', 'login'));
    expect(wt).toMatchObject({ branch: 'feature/login', base: 'origin/main', status: 'active' });
    expect(readFileSync(join(wt.path, '.env'), 'utf8')).toBe('SECRET=1\n');
    expect(existsSync(join(wt.path, '.env.local'))).toBe(true);
    expect(existsSync(join(wt.path, 'local', 'cache.json'))).toBe(true);
    expect(wt.copiedFiles).toEqual(['.env', '.env.local', 'local']);
    expect(wt.setup).toMatchObject({ command: 'echo setting-up && touch .setup-done', exitCode: 0 });
    expect(wt.setup!.output).toContain('setting-up');
    expect(existsSync(join(wt.path, '.setup-done'))).toBe(true);
    expect(repo.git('branch', '--list', 'feature/login')).toContain('feature/login');
  });

  it('uses an existing local branch, or tracks a remote one', async () => {
    const { worktrees, userId } = setup();
    const repo = useRepo();
    repo.git('branch', 'existing');
    const local = await worktrees.create(userId, { repoPath: repo.path, branch: 'existing' });
    expect(local.path.endsWith('/existing')).toBe(true);
    repo.git('push', '-q', 'origin', 'main:remote-only');
    repo.git('fetch', '-q', 'origin');
    const remote = await worktrees.create(userId, { repoPath: repo.path, branch: 'remote-only' });
    const st = await worktrees.status(userId, remote);
    expect(st).toMatchObject({ branch: 'remote-only', upstream: 'origin/remote-only', aheadOfUpstream: 0, behindUpstream: 0 });
  });

  it('refuses hostile branch names and creates nothing outside its location', async () => {
    const { worktrees, userId } = setup();
    const repo = useRepo();
    const parent = dirname(repo.path);
    const before = readdirSync(parent).sort();
    for (const branch of ['../x', '-x', 'a b', 'bad\u0007bell', 'x/../../y', '.hidden', 'x.lock', 'a..b', '/abs', 'feat//x', '--force']) {
      await expect(worktrees.create(userId, { repoPath: repo.path, branch }), branch).rejects.toMatchObject({ code: 'invalid_input' });
    }
    await expect(worktrees.create(userId, { repoPath: '/', branch: 'ok' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(worktrees.create(userId, { repoPath: repo.path, branch: 'ok', base: '-x' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(worktrees.create(userId, { repoPath: repo.path, branch: 'ok', base: 'no-such-base' })).rejects.toThrow(/base: no-such-base/);
    expect(readdirSync(parent).sort()).toEqual([...before, 'app-worktrees'].sort());
    expect(readdirSync(join(parent, 'app-worktrees'))).toEqual([]);
  });

  it('keeps to a configured root', async () => {
    const root = useTempDir();
    const { worktrees, userId } = setup(root);
    const repo = useRepo();
    const wt = await worktrees.create(userId, { repoPath: repo.path, branch: 'x' });
    expect(wt.path).toBe(join(root, 'app', 'x'));
  });

  it('gives one worktree and one clear conflict for two creates of the same branch', async () => {
    const { worktrees, userId } = setup();
    const repo = useRepo();
    const results = await Promise.allSettled([
      worktrees.create(userId, { repoPath: repo.path, branch: 'race' }),
      worktrees.create(userId, { repoPath: repo.path, branch: 'race' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(failed.reason).toMatchObject({ code: 'conflict' });
    expect(failed.reason.message).toMatch(/already checked out/);
    expect(worktrees.list(userId)).toHaveLength(1);
  });

  it('leaves nothing behind when setup fails, and says what failed', async () => {
    const { worktrees, userId } = setup();
    const repo = useRepo();
    repo.git('config', 'rdv.worktreeSetup', 'echo installing; echo broken-dependency >&2; exit 3');
    const err = await worktrees.create(userId, { repoPath: repo.path, branch: 'doomed' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'conflict' });
    expect((err as Error).message).toMatch(/exit 3/);
    expect((err as Error).message).toMatch(/broken-dependency/);
    expect(existsSync(join(`${repo.path}-worktrees`, 'doomed'))).toBe(false);
    expect(repo.git('branch', '--list', 'doomed').trim()).toBe('');
    expect(repo.git('worktree', 'list')).not.toContain('doomed');
    expect(worktrees.list(userId, { status: 'all' })).toEqual([]);
  });

  it('reports status and refuses to remove uncommitted or unpushed work unless forced', async () => {
    const { worktrees, userId } = setup();
    const repo = useRepo();
    const wt = await worktrees.create(userId, { repoPath: repo.path, branch: 'work' });
    writeFileSync(join(wt.path, 'notes.txt'), 'draft');
    let st = await worktrees.status(userId, wt);
    expect(st).toMatchObject({ exists: true, branch: 'work', dirtyFiles: ['notes.txt'], merged: false });
    expect(st.diskBytes).toBeGreaterThan(0);
    await expect(worktrees.remove(userId, wt.id, false)).rejects.toThrow(/1 uncommitted file\(s\): notes.txt/);
    const g = (...args: string[]) => execFileSync('git', args, { cwd: wt.path, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } });
    g('add', 'notes.txt');
    g('-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-q', '-m', 'notes');
    st = await worktrees.status(userId, wt);
    expect(st).toMatchObject({ dirtyFiles: [], aheadOfBase: 1, unpushedCommits: 1 });
    await expect(worktrees.remove(userId, wt.id, false)).rejects.toThrow(/1 commit\(s\) that exist only on this branch/);
    g('push', '-q', '-u', 'origin', 'work');
    expect((await worktrees.status(userId, wt)).upstream).toBe('origin/work');
    const removed = await worktrees.remove(userId, wt.id, false);
    expect(removed.status).toBe('removed');
    expect(existsSync(wt.path)).toBe(false);
    expect(repo.git('worktree', 'list')).not.toContain('work');
    expect(repo.git('branch', '--list', 'work')).toContain('work');
    expect((await worktrees.remove(userId, wt.id, false)).status).toBe('removed');
  });

  it('force removes a dirty worktree', async () => {
    const { worktrees, userId } = setup();
    const repo = useRepo();
    const wt = await worktrees.create(userId, { repoPath: repo.path, branch: 'scratch' });
    writeFileSync(join(wt.path, 'junk'), 'x');
    expect((await worktrees.remove(userId, wt.id, true)).status).toBe('removed');
    expect(existsSync(wt.path)).toBe(false);
  });

  it('cleanup finds merged, orphaned and missing worktrees and removes only clean ones', async () => {
    const { worktrees, userId } = setup();
    const repo = useRepo();
    const merged = await worktrees.create(userId, { repoPath: repo.path, branch: 'merged' });
    const mg = (...args: string[]) => execFileSync('git', args, { cwd: merged.path, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } });
    writeFileSync(join(merged.path, 'f.txt'), 'f');
    mg('add', 'f.txt');
    mg('-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-q', '-m', 'f');
    repo.git('merge', '-q', '--ff-only', 'merged');
    repo.git('push', '-q', 'origin', 'main');
    repo.git('fetch', '-q', 'origin');
    const dirty = await worktrees.create(userId, { repoPath: repo.path, branch: 'dirty' });
    writeFileSync(join(dirty.path, 'wip'), 'x');
    const report = await worktrees.cleanup(userId, { remove: false });
    const byBranch = Object.fromEntries(report.map((c) => [c.branch, c]));
    expect(byBranch.merged).toMatchObject({ reasons: ['merged', 'orphaned'], removed: false, blockers: [] });
    expect(byBranch.dirty).toMatchObject({ reasons: ['orphaned'], removed: false });
    expect(byBranch.dirty!.blockers[0]).toMatch(/uncommitted/);
    const removed = await worktrees.cleanup(userId, { remove: true });
    expect(removed.find((c) => c.branch === 'merged')?.removed).toBe(true);
    expect(existsSync(merged.path)).toBe(false);
    expect(existsSync(dirty.path)).toBe(true);
  });

  it("keeps users' worktrees apart", async () => {
    const { worktrees, userId, db } = setup();
    const repo = useRepo();
    const wt = await worktrees.create(userId, { repoPath: repo.path, branch: 'mine' });
    const other = resolveUserByEmail(db, 'eve@example.com');
    expect(() => worktrees.get(other.id, wt.id)).toThrow(/not found/);
    await expect(worktrees.remove(other.id, wt.id, true)).rejects.toMatchObject({ code: 'not_found' });
    expect(worktrees.list(other.id)).toEqual([]);
  });

  it('trash keeps the files until the retention period, then the cleanup job removes them', async () => {
    const { worktrees, userId, home } = setup();
    const repo = useRepo();
    const wt = await worktrees.create(userId, { repoPath: repo.path, branch: 'old' });
    writeFileSync(join(wt.path, 'work.txt'), 'precious');
    const entry = await worktrees.trash(userId, wt.id, null);
    expect(entry.trashPath!.startsWith(join(home, 'trash'))).toBe(true);
    expect(readFileSync(join(entry.trashPath!, 'work.txt'), 'utf8')).toBe('precious');
    expect(await worktrees.expireTrash(new Date())).toBe(0);
    expect(worktrees.listTrash(userId)).toHaveLength(1);
    expect(await worktrees.expireTrash(new Date(Date.now() + 31 * 86_400_000))).toBe(1);
    expect(worktrees.listTrash(userId)).toEqual([]);
    expect(existsSync(entry.trashPath!)).toBe(false);
    expect(worktrees.get(userId, wt.id).status).toBe('removed');
    expect(repo.git('worktree', 'list')).not.toContain('old');
  });
});
