import { execFile } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve, sep } from 'node:path';
import { z } from 'zod';
import { sanitizedEnv } from '../config/index.js';
import { AppError } from '../errors/index.js';
import { git, gitOrNull } from './git.js';

/** The main worktree of the repository containing `path` (absolute, real). */
export async function repoRoot(path: string): Promise<string> {
  if (!isAbsolute(path) || !existsSync(path) || !statSync(path).isDirectory()) {
    throw new AppError('invalid_input', `repoPath: ${path} is not an existing directory`);
  }
  const common = await gitOrNull(path, ['rev-parse', '--path-format=absolute', '--git-common-dir']);
  if (!common) throw new AppError('invalid_input', `repoPath: ${path} is not inside a git repository`);
  const commonDir = common.trim();
  if (basename(commonDir) !== '.git') throw new AppError('invalid_input', `repoPath: ${path} is a bare repository; use a clone with a work tree`);
  return realpathSync(dirname(commonDir));
}

/** The repository's default branch: origin/HEAD's target, else the main worktree's branch, else "main". */
export async function defaultBranch(repo: string): Promise<string> {
  const remoteHead = await gitOrNull(repo, ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD']);
  if (remoteHead?.trim()) return remoteHead.trim();
  const head = await gitOrNull(repo, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  return head?.trim() || 'main';
}

/** `<root>/<branch>`, refusing anything that would land outside `root`. */
export function worktreePathFor(root: string, branch: string): string {
  const path = resolve(root, branch);
  if (!path.startsWith(resolve(root) + sep)) throw new AppError('invalid_input', `branch: ${branch} would leave ${root}`);
  return path;
}

/** True when `ref` names a commit. (simple-git reports a failure only when git writes to stderr, so no --quiet.) */
export const refExists = async (repo: string, ref: string) => Boolean((await gitOrNull(repo, ['rev-parse', '--verify', `${ref}^{commit}`]))?.trim());

export interface GitWorktree {
  path: string;
  head: string | null;
  branch: string | null;
  bare: boolean;
  detached: boolean;
  locked: boolean;
  prunable: boolean;
}

const PorcelainEntry = z.object({ path: z.string().min(1) });

/** Parses `git worktree list --porcelain`. */
export function parseWorktreeList(text: string): GitWorktree[] {
  const out: GitWorktree[] = [];
  for (const block of text.split(/\n\n+/)) {
    const lines = block.split('\n').filter(Boolean);
    const first = lines[0];
    if (!first?.startsWith('worktree ')) continue;
    const entry = PorcelainEntry.safeParse({ path: first.slice('worktree '.length) });
    if (!entry.success) continue;
    const wt: GitWorktree = { path: entry.data.path, head: null, branch: null, bare: false, detached: false, locked: false, prunable: false };
    for (const line of lines.slice(1)) {
      if (line.startsWith('HEAD ')) wt.head = line.slice(5);
      else if (line.startsWith('branch ')) wt.branch = line.slice(7).replace(/^refs\/heads\//, '');
      else if (line === 'bare') wt.bare = true;
      else if (line === 'detached') wt.detached = true;
      else if (line.startsWith('locked')) wt.locked = true;
      else if (line.startsWith('prunable')) wt.prunable = true;
    }
    out.push(wt);
  }
  return out;
}

export async function listGitWorktrees(repo: string): Promise<GitWorktree[]> {
  return parseWorktreeList(await git(repo, ['worktree', 'list', '--porcelain']));
}

export type AddOutcome =
  | { ok: true; path: string; branch: string; base: string; source: 'new' | 'local' | 'remote' }
  | { ok: false; reason: 'checked_out'; path: string }
  | { ok: false; reason: 'path_exists'; path: string };

/**
 * Adds a worktree at `path` for `branch`: the local branch if it exists, else the remote
 * one (tracking origin/<branch>), else a new branch from `base`. Branches already checked
 * out elsewhere and occupied paths are outcomes, not errors.
 */
export async function addWorktree(repo: string, branch: string, base: string, path: string): Promise<AddOutcome> {
  const existing = (await listGitWorktrees(repo)).find((w) => w.branch === branch);
  if (existing) return { ok: false, reason: 'checked_out', path: existing.path };
  if (existsSync(path)) return { ok: false, reason: 'path_exists', path };
  if (await refExists(repo, `refs/heads/${branch}`)) {
    await git(repo, ['worktree', 'add', '--', path, branch], 'conflict');
    return { ok: true, path, branch, base, source: 'local' };
  }
  if (await refExists(repo, `refs/remotes/origin/${branch}`)) {
    await git(repo, ['worktree', 'add', '--track', '-b', branch, '--', path, `origin/${branch}`], 'conflict');
    return { ok: true, path, branch, base, source: 'remote' };
  }
  // A base named like a branch of origin (as in a cloned mirror, which keeps no local branches) is origin's.
  const start = (await refExists(repo, base)) ? base : (await refExists(repo, `refs/remotes/origin/${base}`)) ? `origin/${base}` : null;
  if (!start) throw new AppError('invalid_input', `base: ${base} is not a branch or commit of ${repo}`);
  await git(repo, ['worktree', 'add', '--no-track', '-b', branch, '--', path, start], 'conflict');
  return { ok: true, path, branch, base: start, source: 'new' };
}

export interface SetupResult {
  command: string;
  exitCode: number | null;
  output: string;
}

const MAX_SETUP_OUTPUT = 64 * 1024;

/**
 * Runs the repository's setup command (git config `rdv.worktreeSetup`) in the new worktree.
 * It is the user's own configured command line, so it runs through `sh -c` like an npm
 * script would; nothing of ours is interpolated into it. Returns null when none is set.
 */
export async function runSetup(repo: string, path: string, timeoutMs = 10 * 60_000): Promise<SetupResult | null> {
  const command = (await gitOrNull(repo, ['config', '--get', 'rdv.worktreeSetup']))?.trim();
  if (!command) return null;
  return new Promise((resolveRun) => {
    execFile('sh', ['-c', command], { cwd: path, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: sanitizedEnv() }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`.slice(-MAX_SETUP_OUTPUT);
      const exitCode = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
      resolveRun({ command, exitCode, output });
    });
  });
}
