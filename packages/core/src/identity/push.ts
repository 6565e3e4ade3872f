import { and, eq } from 'drizzle-orm';
import { schema, type Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { compareUrlFor, parseRepositoryUrl, type Worktree } from '../schemas/index.js';
import { remoteGit } from './remote-git.js';
import type { RepositoryService } from './repositories.js';
import type { IdentityService } from './service.js';

export interface PushResult {
  worktreeId: string;
  branch: string;
  remoteBranch: string;
  remote: string;
  identityId: string | null;
  output: string;
  compareUrl: string | null;
}

export interface PushDeps {
  db: Db;
  identities: IdentityService;
  repositories: RepositoryService;
}

/**
 * The identity a worktree pushes as: the one asked for, else its session's, else its
 * session folder's (inherited), else its repository's, else the user default.
 */
export function pushIdentity(deps: PushDeps, userId: string, wt: Worktree, requested?: string): string | null {
  if (requested) return deps.identities.get(userId, requested).id;
  const session = wt.sessionId
    ? deps.db.select().from(schema.sessions).where(and(eq(schema.sessions.id, wt.sessionId), eq(schema.sessions.userId, userId))).get()
    : undefined;
  if (session?.identityId && deps.identities.list(userId).some((i) => i.id === session.identityId)) return session.identityId;
  if (session?.folderId) {
    const fromFolder = deps.identities.effective(userId, session.folderId);
    if (fromFolder.identity && fromFolder.source !== 'user') return fromFolder.identity.id;
  }
  return deps.repositories.byPath(userId, wt.repoPath)?.identityId ?? deps.identities.effective(userId, null).identity?.id ?? null;
}

/** Pushes the worktree's branch to its `origin` as an identity, setting it as the upstream; gives the compare URL where one is known. */
export async function pushWorktree(deps: PushDeps, userId: string, wt: Worktree, options: { identityId?: string; remoteBranch?: string } = {}): Promise<PushResult> {
  if (wt.status !== 'active') throw new AppError('conflict', `worktree ${wt.id} is ${wt.status}; only an active worktree can be pushed`);
  const knownHosts = deps.repositories.knownHosts;
  const remote = (await remoteGit(wt.path, ['remote', 'get-url', 'origin'], { knownHosts, agent: null }).catch(() => null))?.stdout.trim();
  if (!remote) throw new AppError('conflict', `the repository of ${wt.path} has no remote "origin" to push to`);
  const parsed = parseRepositoryUrl(remote);
  if (!parsed.ok) throw new AppError('invalid_input', `the remote origin (${remote}) is not one rdv pushes to: ${parsed.message}`);
  const identityId = pushIdentity(deps, userId, wt, options.identityId);
  if (parsed.value.kind === 'ssh' && !identityId) {
    throw new AppError('invalid_input', 'pushing over ssh needs an identity: give identityId, or set a default (`rdv identity default <id>`)');
  }
  const identity = identityId ? deps.identities.unseal(userId, identityId) : null;
  const remoteBranch = options.remoteBranch ?? wt.branch;
  const refspec = `refs/heads/${wt.branch}:refs/heads/${remoteBranch}`;
  const result = await deps.repositories.withRemote(identity, (agent) =>
    remoteGit(wt.path, ['push', '--progress', '--set-upstream', 'origin', refspec], { knownHosts, agent }),
  );
  const base = wt.base ? wt.base.replace(/^origin\//, '') : null;
  return {
    worktreeId: wt.id,
    branch: wt.branch,
    remoteBranch,
    remote,
    identityId,
    output: result.stderr.trim().slice(-4000),
    compareUrl: compareUrlFor(parsed.value, remoteBranch, base && base !== remoteBranch ? base : null),
  };
}
