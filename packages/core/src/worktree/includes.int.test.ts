// `.worktreeinclude` against a hostile branch: real git repositories whose branches commit
// symlinks that point out of the worktree. Nothing may be written outside it.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureOwner } from '../auth/index.js';
import { testLogger, useDb, useRepo, useTempDir } from '../testing/index.js';
import { createWorktreeService } from './index.js';

function setup() {
  const { db } = useDb();
  const home = useTempDir();
  const worktrees = createWorktreeService({ db, log: testLogger(), root: '', home, trashRetentionDays: 30, staleDays: 14 });
  const owner = ensureOwner(db, { email: '', cliTokenPath: join(home, 'cli-token'), log: testLogger() }).owner;
  return { worktrees, userId: owner.id };
}

/** A repo whose branch `evil` commits `links` (name → target) over what main has as real files. */
function hostileRepo(links: Record<string, string>, include: string) {
  const repo = useRepo();
  const victim = join(dirname(repo.path), 'victim');
  mkdirSync(victim);
  writeFileSync(join(victim, 'keep'), 'untouched\n');
  repo.git('checkout', '-q', '-b', 'evil');
  for (const [name, target] of Object.entries(links)) {
    mkdirSync(dirname(join(repo.path, name)), { recursive: true });
    symlinkSync(target, join(repo.path, name));
    repo.git('add', '--', name);
  }
  repo.git('commit', '-q', '-m', 'links');
  repo.git('checkout', '-q', 'main');
  // On main the same names are ordinary, ignored files and directories.
  writeFileSync(join(repo.path, '.gitignore'), '*\n');
  writeFileSync(join(repo.path, '.worktreeinclude'), include);
  writeFileSync(join(repo.path, '.env'), 'SECRET=1\n');
  for (const dir of ['x', 'a/b', 'deep/c']) mkdirSync(join(repo.path, dir), { recursive: true });
  writeFileSync(join(repo.path, 'x', 'authorized_keys2'), 'ssh-ed25519 AAAA attacker\n');
  writeFileSync(join(repo.path, 'a', 'b', 'c'), 'c\n');
  writeFileSync(join(repo.path, 'deep', 'c', 'file'), 'f\n');
  return { repo, victim };
}

describe('worktree includes', () => {
  it('never writes through a symlink the branch commits: x -> ../../victim', async () => {
    const { worktrees, userId } = setup();
    // The worktree is <tmp>/app-worktrees/evil, so ../../victim is <tmp>/victim.
    const { repo, victim } = hostileRepo(
      { x: '../../victim', a: '../../victim', 'deep/c': '../../../victim', '.env': '../../victim/pwned-env' },
      'x/authorized_keys2\na/b/c\ndeep/c/file\nx/*\nx\n',
    );
    const wt = await worktrees.create(userId, { repoPath: repo.path, branch: 'evil' });
    expect(readdirSync(victim)).toEqual(['keep']);
    expect(readFileSync(join(victim, 'keep'), 'utf8')).toBe('untouched\n');
    expect(wt.copiedFiles).toEqual([]);
    const skipped = Object.fromEntries(wt.skippedFiles.map((s) => [s.path, s.reason]));
    expect(skipped['x/authorized_keys2']).toMatch(/crosses the symlink x in the worktree/);
    expect(skipped['a/b/c']).toMatch(/crosses the symlink a in the worktree/);
    expect(skipped['deep/c/file']).toMatch(/crosses the symlink deep\/c in the worktree/);
    expect(skipped['.env']).toMatch(/already exists/);
    expect(skipped.x).toMatch(/already exists/);
    expect(lstatSync(join(wt.path, 'x')).isSymbolicLink()).toBe(true);
    expect((await worktrees.get(userId, wt.id)).skippedFiles).toEqual(wt.skippedFiles);
  });

  it('does not read through a symlink in the repository either, and skips paths that leave it', async () => {
    const { worktrees, userId } = setup();
    const repo = useRepo();
    const outside = useTempDir();
    writeFileSync(join(outside, 'secret'), 'not yours\n');
    writeFileSync(join(repo.path, '.gitignore'), '*\n');
    symlinkSync(outside, join(repo.path, 'linked'));
    symlinkSync(join(outside, 'secret'), join(repo.path, '.env.link'));
    mkdirSync(join(repo.path, 'cache'));
    writeFileSync(join(repo.path, 'cache', 'ok.json'), '{}');
    symlinkSync('ok.json', join(repo.path, 'cache', 'alias.json'));
    symlinkSync(join(outside, 'secret'), join(repo.path, 'cache', 'escape'));
    writeFileSync(join(repo.path, '.worktreeinclude'), 'linked/secret\nlinked/*\n../outside\n/etc/passwd\ncache\n.git/config\n');
    const wt = await worktrees.create(userId, { repoPath: repo.path, branch: 'feature' });
    expect(wt.copiedFiles).toEqual(['cache']);
    expect(readFileSync(join(wt.path, 'cache', 'ok.json'), 'utf8')).toBe('{}');
    expect(lstatSync(join(wt.path, 'cache', 'alias.json')).isSymbolicLink()).toBe(true);
    expect(existsSync(join(wt.path, 'cache', 'escape'))).toBe(false);
    expect(existsSync(join(wt.path, 'linked'))).toBe(false);
    const skipped = Object.fromEntries(wt.skippedFiles.map((s) => [s.path, s.reason]));
    expect(skipped).toMatchObject({
      'linked/secret': expect.stringMatching(/crosses the symlink linked in the repository/),
      'linked/*': expect.stringMatching(/crosses the symlink linked in the repository/),
      '.env.link': 'is a symlink',
      '../outside': 'leaves the repository',
      '/etc/passwd': 'leaves the repository',
      '.git/config': 'is inside .git',
      'cache/escape': expect.stringMatching(/points outside the repository/),
    });
  });
});
