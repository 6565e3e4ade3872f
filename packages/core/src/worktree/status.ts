import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { AppError } from '../errors/index.js';
import { git, gitOrNull } from './git.js';

export interface WorktreeGitStatus {
  path: string;
  exists: boolean;
  branch: string | null;
  upstream: string | null;
  aheadOfUpstream: number | null;
  behindUpstream: number | null;
  base: string | null;
  aheadOfBase: number | null;
  behindBase: number | null;
  dirtyFiles: string[];
  /** Commits reachable from no remote and not in the base. */
  unpushedCommits: number;
  /** The branch has commits of its own and all of them are in the base. */
  merged: boolean;
  lastCommitAt: string | null;
  diskBytes: number | null;
}

const counts = (text: string | null): [number, number] | [null, null] => {
  const m = text?.trim().match(/^(\d+)\s+(\d+)$/);
  return m ? [Number(m[1]), Number(m[2])] : [null, null];
};

function diskUsage(path: string): Promise<number | null> {
  return new Promise((resolveDu) => {
    execFile('du', ['-sk', '--', path], { timeout: 60_000 }, (err, stdout) => {
      const kb = Number.parseInt(String(stdout).split('\t')[0] ?? '', 10);
      resolveDu(err || !Number.isFinite(kb) ? null : kb * 1024);
    });
  });
}

/** Branch, ahead/behind its upstream and base, dirty files, merged, size. Never throws for a missing dir. */
export async function worktreeStatus(path: string, base: string | null, options: { diskUsage?: boolean } = {}): Promise<WorktreeGitStatus> {
  const empty: WorktreeGitStatus = {
    path, exists: false, branch: null, upstream: null, aheadOfUpstream: null, behindUpstream: null, base,
    aheadOfBase: null, behindBase: null, dirtyFiles: [], unpushedCommits: 0, merged: false, lastCommitAt: null, diskBytes: null,
  };
  if (!existsSync(path)) return empty;
  const branch = (await gitOrNull(path, ['symbolic-ref', '--quiet', '--short', 'HEAD']))?.trim() || null;
  const upstream = (await gitOrNull(path, ['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{u}']))?.trim() || null;
  const [behindUpstream, aheadOfUpstream] = upstream ? counts(await gitOrNull(path, ['rev-list', '--left-right', '--count', `${upstream}...HEAD`])) : [null, null];
  const baseOk = base ? Boolean((await gitOrNull(path, ['rev-parse', '--verify', `${base}^{commit}`]))?.trim()) : false;
  const [behindBase, aheadOfBase] = baseOk ? counts(await gitOrNull(path, ['rev-list', '--left-right', '--count', `${base}...HEAD`])) : [null, null];
  const porcelain = (await gitOrNull(path, ['status', '--porcelain=v1', '--untracked-files=all'])) ?? '';
  const dirtyFiles = porcelain.split('\n').filter(Boolean).map((l) => l.slice(3));
  const notOnRemote = ['rev-list', '--count', 'HEAD', '--not', '--remotes'];
  if (baseOk) notOnRemote.push(base!);
  const unpushedCommits = Number((await gitOrNull(path, notOnRemote))?.trim() ?? 0) || 0;
  let merged = false;
  if (baseOk && branch) {
    // HEAD is an ancestor of base when their merge base is HEAD itself.
    const mergeBase = (await gitOrNull(path, ['merge-base', 'HEAD', base!]))?.trim();
    const head = (await gitOrNull(path, ['rev-parse', 'HEAD']))?.trim();
    const isAncestor = Boolean(head) && mergeBase === head;
    const reflog = (await gitOrNull(path, ['reflog', 'show', '--format=%H', `refs/heads/${branch}`])) ?? '';
    merged = isAncestor && reflog.split('\n').filter(Boolean).length > 1;
  }
  const ct = (await gitOrNull(path, ['log', '-1', '--format=%ct']))?.trim();
  return {
    ...empty,
    exists: true,
    branch,
    upstream,
    aheadOfUpstream,
    behindUpstream,
    aheadOfBase,
    behindBase,
    dirtyFiles,
    unpushedCommits,
    merged,
    lastCommitAt: ct ? new Date(Number(ct) * 1000).toISOString() : null,
    diskBytes: options.diskUsage === false ? null : await diskUsage(path),
  };
}

/** Why a worktree cannot be removed without force; empty when it can. */
export function removalBlockers(status: WorktreeGitStatus): string[] {
  const reasons: string[] = [];
  if (status.dirtyFiles.length) reasons.push(`${status.dirtyFiles.length} uncommitted file(s): ${status.dirtyFiles.slice(0, 5).join(', ')}`);
  if (status.aheadOfUpstream) reasons.push(`${status.aheadOfUpstream} commit(s) not pushed to ${status.upstream}`);
  else if (status.unpushedCommits) reasons.push(`${status.unpushedCommits} commit(s) that exist only on this branch (not pushed, not in ${status.base ?? 'the base'})`);
  return reasons;
}

/**
 * Removes a worktree (git's record too). Refuses with AppError(conflict) naming the
 * uncommitted or unpushed changes unless `force`. The branch itself is kept.
 */
export async function removeGitWorktree(repo: string, path: string, base: string | null, force: boolean): Promise<void> {
  if (existsSync(path) && !force) {
    const blockers = removalBlockers(await worktreeStatus(path, base, { diskUsage: false }));
    if (blockers.length) {
      throw new AppError('conflict', `worktree ${path} has ${blockers.join('; ')}; commit and push, or remove with force`);
    }
  }
  if (existsSync(path)) await git(repo, ['worktree', 'remove', ...(force ? ['--force', '--force'] : []), '--', path], 'conflict');
  await git(repo, ['worktree', 'prune']);
}
