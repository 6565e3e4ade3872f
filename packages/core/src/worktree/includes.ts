import { constants, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, symlinkSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';

/** An entry that was not copied, and why (it crossed a symlink, left the tree, or already existed). */
export interface SkippedInclude {
  path: string;
  reason: string;
}

export interface IncludeReport {
  copied: string[];
  skipped: SkippedInclude[];
}

const inside = (root: string, p: string) => p === root || p.startsWith(root + sep);
const lstatOrNull = (p: string) => {
  try {
    return lstatSync(p);
  } catch {
    // Missing: the caller decides what a missing entry means.
    return null;
  }
};

/**
 * Copies what a worktree needs but git does not carry: top-level `.env*` files and the
 * entries `.worktreeinclude` lists. Both trees are resolved to real paths; an entry is
 * skipped (and reported) when any part of its path is a symlink on either side — a branch
 * can commit `x -> ../../.ssh`, and copying through it would write outside the worktree —
 * when it names `.git`, leaves the tree, or already exists in the worktree. Inside a copied
 * directory, a symlink is copied as a link only when it points inside the repository.
 */
export function copyIncludes(repo: string, target: string): IncludeReport {
  const repoReal = realpathSync(repo);
  const targetReal = realpathSync(target);
  const report: IncludeReport = { copied: [], skipped: [] };
  for (const rel of [...wantedEntries(repoReal)].sort()) {
    const segments = rel.split('/').filter((s) => s !== '' && s !== '.');
    if (!segments.length || isAbsolute(rel) || segments.includes('..')) {
      report.skipped.push({ path: rel, reason: 'leaves the repository' });
      continue;
    }
    if (segments.includes('.git')) {
      report.skipped.push({ path: rel, reason: 'is inside .git' });
      continue;
    }
    const why = copyEntry(repoReal, targetReal, segments, report);
    if (why === 'copied') report.copied.push(segments.join('/'));
    else if (why !== 'missing') report.skipped.push({ path: segments.join('/'), reason: why });
  }
  return report;
}

/** Copies one entry; returns 'copied', 'missing' (nothing to copy) or why it was skipped. */
function copyEntry(repo: string, target: string, segments: string[], report: IncludeReport): string {
  let from = repo;
  for (let i = 0; i < segments.length; i++) {
    from = join(from, segments[i]!);
    const st = lstatOrNull(from);
    if (!st) return 'missing';
    if (st.isSymbolicLink()) return i < segments.length - 1 ? `crosses the symlink ${segments.slice(0, i + 1).join('/')} in the repository` : 'is a symlink';
  }
  let to = target;
  for (let i = 0; i < segments.length - 1; i++) {
    to = join(to, segments[i]!);
    const st = lstatOrNull(to);
    if (st?.isSymbolicLink()) return `crosses the symlink ${segments.slice(0, i + 1).join('/')} in the worktree`;
    if (st && !st.isDirectory()) return `${segments.slice(0, i + 1).join('/')} is not a directory in the worktree`;
    if (!st) mkdirSync(to, { mode: lstatSync(join(repo, ...segments.slice(0, i + 1))).mode & 0o777 });
  }
  to = join(to, segments[segments.length - 1]!);
  // The checks above leave no symlink on the way; say so again with the real path.
  if (!inside(target, realpathSync(dirname(to)))) return 'leaves the worktree';
  if (lstatOrNull(to)) return 'already exists in the worktree';
  copyTree(repo, from, to, segments.join('/'), report);
  return 'copied';
}

/** Copies a file or directory without following any symlink; new paths only (never overwrites). */
function copyTree(repo: string, from: string, to: string, rel: string, report: IncludeReport): void {
  const st = lstatSync(from);
  if (st.isSymbolicLink()) {
    const link = readlinkSync(from);
    const points = resolve(dirname(from), link);
    if (isAbsolute(link) || !inside(repo, points)) {
      report.skipped.push({ path: rel, reason: 'is a symlink that points outside the repository' });
      return;
    }
    symlinkSync(link, to);
  } else if (st.isDirectory()) {
    mkdirSync(to, { mode: st.mode & 0o777 });
    for (const name of readdirSync(from)) copyTree(repo, join(from, name), join(to, name), `${rel}/${name}`, report);
  } else if (st.isFile()) {
    // EXCL: fails rather than write through anything that appeared at `to`.
    copyFileSync(from, to, constants.COPYFILE_EXCL);
  }
  // Sockets, FIFOs and devices are not copied.
}

/** Top-level `.env*` files and `.worktreeinclude` entries (relative paths; `*` in the last segment). */
function wantedEntries(repo: string): Set<string> {
  const wanted = new Set<string>();
  for (const name of readdirSync(repo)) {
    const st = name.startsWith('.env') ? lstatSync(join(repo, name)) : null;
    // A symlinked .env is wanted too, so that skipping it is reported.
    if (st?.isFile() || st?.isSymbolicLink()) wanted.add(name);
  }
  const includeFile = join(repo, '.worktreeinclude');
  const st = lstatOrNull(includeFile);
  if (st?.isFile()) {
    for (const raw of readFileSync(includeFile, 'utf8').split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      for (const match of expandPattern(repo, line)) wanted.add(match);
    }
  }
  return wanted;
}

/** A relative path, or one with `*` in its last segment. Upward and absolute ones are kept, to be reported. */
function expandPattern(repo: string, pattern: string): string[] {
  const clean = pattern.replace(/^\.\//, '').replace(/\/$/, '');
  if (isAbsolute(clean) || clean.split('/').includes('..') || !clean.includes('*')) return [clean];
  const dir = dirname(clean);
  const re = new RegExp(`^${basename(clean).replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*/g, '.*')}$`);
  const abs = resolve(repo, dir);
  if (dir.includes('*') || !existsSync(abs)) return [];
  // Listing a directory through a symlink would already cross it: keep the pattern, to be reported.
  if (realpathSync(abs) !== abs) return [clean];
  return readdirSync(abs).filter((n) => re.test(n)).map((n) => (dir === '.' ? n : `${dir}/${n}`));
}
