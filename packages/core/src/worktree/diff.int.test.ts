import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors/index.js';
import { useRepo, waitFor, type TestRepo } from '../testing/index.js';
import { createPatchSplitter, parseNumstatZ, parseRawZ, quoteGitPath } from './diff-parse.js';
import { diffWorktree } from './diff.js';

const limits = { maxBytes: 1024 * 1024, maxFileBytes: 256 * 1024 };

/** A branch `work` off main with one commit (main has one since), an uncommitted change, a deletion and an untracked file. */
function repoWithWork(): TestRepo {
  const repo = useRepo();
  repo.commit('kept.txt', 'one\ntwo\nthree\n');
  repo.commit('gone.txt', 'bye\n');
  repo.git('push', '-q', 'origin', 'main');
  repo.git('checkout', '-q', '-b', 'work');
  repo.commit('committed.txt', 'a\nb\n', 'add committed');
  // main moves on after the branch left it: those commits are not the branch's changes.
  repo.git('checkout', '-q', 'main');
  repo.commit('later-on-main.txt', 'x\n');
  repo.git('checkout', '-q', 'work');
  writeFileSync(join(repo.path, 'kept.txt'), 'one\n2\nthree\nfour\n');
  rmSync(join(repo.path, 'gone.txt'));
  writeFileSync(join(repo.path, 'new.txt'), 'fresh\n');
  writeFileSync(join(repo.path, '.gitignore'), 'ignored.log\n');
  writeFileSync(join(repo.path, 'ignored.log'), 'noise\n');
  return repo;
}

describe('diffWorktree (real git)', () => {
  it('adds nothing to the repository where git keeps a split index', async () => {
    const repo = repoWithWork();
    repo.git('config', 'core.splitIndex', 'true');
    repo.git('update-index', '--split-index');
    const gitFiles = () => readdirSync(join(repo.path, '.git')).filter((f) => f.startsWith('sharedindex.')).sort();
    const before = gitFiles();
    const diff = await diffWorktree(repo.path, 'main', limits);
    expect(diff.files.map((f) => f.path)).toContain('new.txt');
    expect(gitFiles()).toEqual(before);
  });

  it('shows commits since the merge base, uncommitted changes and untracked files, and leaves the index alone', async () => {
    const repo = repoWithWork();
    repo.git('add', '--', 'kept.txt');
    const indexPath = join(repo.path, '.git', 'index');
    const indexBefore = readFileSync(indexPath);
    const statusBefore = repo.git('status', '--porcelain');

    const diff = await diffWorktree(repo.path, 'main', limits);
    const byPath = Object.fromEntries(diff.files.map((f) => [f.path, f]));
    expect(Object.keys(byPath).sort()).toEqual(['.gitignore', 'committed.txt', 'gone.txt', 'kept.txt', 'new.txt']);
    expect(byPath['committed.txt']).toMatchObject({ status: 'added', untracked: false, additions: 2, deletions: 0, truncated: false });
    expect(byPath['kept.txt']).toMatchObject({ status: 'modified', additions: 2, deletions: 1 });
    expect(byPath['kept.txt']!.patch).toContain('-two\n+2\n');
    expect(byPath['gone.txt']).toMatchObject({ status: 'deleted', additions: 0, deletions: 1 });
    expect(byPath['new.txt']).toMatchObject({ status: 'added', untracked: true, additions: 1, deletions: 0 });
    expect(byPath['new.txt']!.patch).toMatch(/^diff --git a\/new\.txt b\/new\.txt\nnew file mode 100644\n[\s\S]*\+fresh\n$/);
    expect(diff).toMatchObject({ base: 'main', branch: 'work', additions: 6, deletions: 2, truncated: false });
    expect(diff.mergeBase).toBe(repo.git('merge-base', 'HEAD', 'main').trim());

    expect(readFileSync(indexPath).equals(indexBefore)).toBe(true);
    expect(repo.git('status', '--porcelain')).toBe(statusBefore);
  });

  it('sees an edit that keeps the size, made in the second the index was written, when asked a second later', async () => {
    const repo = useRepo();
    repo.git('checkout', '-q', '-b', 'work');
    const second = () => Math.floor(Date.now() / 1000);
    // git compares whole seconds: the edit must land in the second of the commit's index write,
    // and the diff be taken after it, when a freshly dated copy of the index would call the file clean.
    await waitFor(() => (Date.now() % 1000 > 100 && Date.now() % 1000 < 400) || null, 'the start of a second', 5000, 10);
    const at = second();
    repo.commit('same.txt', 'v1\n');
    writeFileSync(join(repo.path, 'same.txt'), 'w1\n');
    expect(second()).toBe(at);
    await waitFor(() => second() > at || null, 'the next second', 5000, 20);
    const diff = await diffWorktree(repo.path, 'HEAD', limits);
    expect(diff.files.map((f) => [f.path, f.additions, f.deletions])).toEqual([['same.txt', 1, 1]]);
  });

  it('lists binary files as binary, renames as renamed, and odd names as they are', async () => {
    const repo = useRepo();
    repo.commit('old-name.txt', 'same content\nacross a rename\n');
    repo.git('checkout', '-q', '-b', 'work');
    repo.git('mv', 'old-name.txt', 'new-name.txt');
    writeFileSync(join(repo.path, 'image.bin'), Buffer.from([0, 1, 2, 0, 255, 0, 3]));
    const hostile = '<img src=x onerror=alert(1)>.txt';
    writeFileSync(join(repo.path, hostile), '<script>alert(1)</script>\n');
    writeFileSync(join(repo.path, 'tab\there "q".txt'), 'odd\n');
    writeFileSync(join(repo.path, '-rf'), 'dash\n');

    const diff = await diffWorktree(repo.path, 'main', limits);
    const byPath = Object.fromEntries(diff.files.map((f) => [f.path, f]));
    expect(byPath['image.bin']).toMatchObject({ binary: true, additions: null, deletions: null, untracked: true, truncated: false });
    expect(byPath['image.bin']!.patch).toContain('Binary files /dev/null and b/image.bin differ');
    expect(byPath['new-name.txt']).toMatchObject({ status: 'renamed', oldPath: 'old-name.txt' });
    expect(byPath[hostile]!.patch).toContain('+<script>alert(1)</script>');
    expect(byPath['tab\there "q".txt']).toMatchObject({ additions: 1, truncated: false });
    expect(byPath['tab\there "q".txt']!.patch).toContain('+odd');
    expect(byPath['-rf']).toMatchObject({ additions: 1, truncated: false });
  });

  it('keeps within the per-file and total limits, listing what it left out with its counts', async () => {
    const repo = useRepo();
    repo.git('checkout', '-q', '-b', 'work');
    writeFileSync(join(repo.path, 'a-big.txt'), 'line of text\n'.repeat(2000));
    writeFileSync(join(repo.path, 'b-small.txt'), 'small\n');
    mkdirSync(join(repo.path, 'c'));
    for (let i = 0; i < 5; i++) writeFileSync(join(repo.path, 'c', `f${i}.txt`), `${'x'.repeat(60)}\n`.repeat(20));

    const diff = await diffWorktree(repo.path, 'main', { maxBytes: 4096, maxFileBytes: 2048 });
    const byPath = Object.fromEntries(diff.files.map((f) => [f.path, f]));
    expect(byPath['a-big.txt']).toMatchObject({ truncated: true, patch: '', additions: 2000, deletions: 0 });
    expect(byPath['a-big.txt']!.reason).toMatch(/^too large to show: \d+ bytes of diff, over the limit of 2048/);
    expect(byPath['b-small.txt']).toMatchObject({ truncated: false, reason: null });
    const cut = diff.files.filter((f) => f.path.startsWith('c/') && f.truncated);
    expect(cut.length).toBeGreaterThan(0);
    expect(cut[0]!.reason).toMatch(/passed its limit of 4096 bytes/);
    expect(cut.every((f) => f.additions === 20)).toBe(true);
    expect(diff.truncated).toBe(true);
    const kept = diff.files.reduce((n, f) => n + Buffer.byteLength(f.patch), 0);
    expect(kept).toBeLessThanOrEqual(4096);
  });

  it('is empty for a branch with no changes, and refuses a base that names nothing or looks like an option', async () => {
    const repo = useRepo();
    repo.git('checkout', '-q', '-b', 'work');
    const diff = await diffWorktree(repo.path, 'origin/main', limits);
    expect(diff.files).toEqual([]);
    expect(diff.truncated).toBe(false);
    for (const base of ['no-such-branch', '--output=/tmp/x']) {
      const err = await diffWorktree(repo.path, base, limits).catch((e: unknown) => e);
      expect(isAppError(err) && err.code).toBe('invalid_input');
    }
    expect(() => statSync('/tmp/x')).toThrow();
  });
});

describe('diff parsing', () => {
  it('reads raw and numstat output with renames', () => {
    expect(parseRawZ(':100644 100644 aaa bbb M\0a.txt\0:100644 100644 aaa bbb R090\0old\0new\0')).toEqual([
      { path: 'a.txt', oldPath: null, status: 'modified' },
      { path: 'new', oldPath: 'old', status: 'renamed' },
    ]);
    expect([...parseNumstatZ('1\t2\ta.txt\0-\t-\tbin\0' + '3\t0\t\0old\0new\0')]).toEqual([
      ['a.txt', { additions: 1, deletions: 2 }],
      ['bin', { additions: null, deletions: null }],
      ['new', { additions: 3, deletions: 0 }],
    ]);
    expect(quoteGitPath('a/plain name.txt')).toBe('a/plain name.txt');
    expect(quoteGitPath('a/t\tq"')).toBe('"a/t\\tq\\""');
  });

  it('splits a diff into files however the stream is cut', () => {
    const text = 'diff --git a/x b/x\n+1\n+diff --git not a header\ndiff --git a/y b/y\n-2\n';
    for (const size of [1, 3, 7, text.length]) {
      const pieces: string[] = [];
      const splitter = createPatchSplitter(1000, (p) => (pieces.push(`${p.header}|${p.text}`), true));
      for (let i = 0; i < text.length; i += size) splitter.push(Buffer.from(text.slice(i, i + size)));
      splitter.end();
      expect(pieces).toEqual(['diff --git a/x b/x|diff --git a/x b/x\n+1\n+diff --git not a header\n', 'diff --git a/y b/y|diff --git a/y b/y\n-2\n']);
    }
  });
});
