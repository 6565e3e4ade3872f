import { z } from 'zod';
import { AppError } from '@rdv/core/errors';
import { pushWorktree } from '@rdv/core/identity';
import { CreateRepositorySchema, ForgetHostSchema, PushResultSchema, PushWorktreeSchema, RepositorySchema, listOf } from '@rdv/core/schemas';
import { auditAs } from '../context.js';
import { defineRoute, type RouteDef } from '../route.js';
import type { RouteDeps } from './table.js';

const tag = 'repositories';

/** /api/repositories (bare mirrors cloned as an identity) and POST /api/worktrees/push. */
export function repositoryRoutes(deps: RouteDeps): RouteDef[] {
  const { repositories, identities, worktrees } = deps;
  const audit = auditAs.bind(null, deps);
  return [
    defineRoute({
      method: 'get',
      path: '/api/repositories',
      tag,
      summary: 'Your cloned repositories',
      response: listOf(RepositorySchema),
      handler: ({ auth }) => ({ items: repositories.list(auth.user.id) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/repositories',
      tag,
      summary:
        'Clone a repository into a bare mirror under RDV_HOME/repos as an identity; git progress comes as repository.progress events, the end as repository.updated (wait: true answers when done)',
      body: CreateRepositorySchema,
      response: RepositorySchema,
      status: 202,
      sensitive: true,
      handler: async ({ auth, body, res }) => {
        const repository = await repositories.create(auth.user.id, body);
        if (repository.status !== 'cloning') res.locals.status = 201;
        audit(auth, 'repository.create', repository.id, { url: repository.url, identityId: repository.identityId });
        return repository;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/repositories/forget-host',
      tag,
      summary: 'Forget the pinned SSH host key of a host (host, or [host]:port), after a change you expected',
      body: ForgetHostSchema,
      response: z.object({ host: z.string(), forgotten: z.boolean() }),
      sensitive: true,
      handler: async ({ auth, body }) => {
        const forgotten = await repositories.forgetHost(body.host);
        audit(auth, 'repository.forget_host', body.host, { forgotten });
        return { host: body.host, forgotten };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/repositories/:id',
      tag,
      summary: 'Get a repository',
      response: RepositorySchema,
      handler: ({ auth, params }) => repositories.get(auth.user.id, params.id!),
    }),
    defineRoute({
      method: 'post',
      path: '/api/repositories/:id/fetch',
      tag,
      summary: 'Fetch a repository now (after a failed clone: clone it again)',
      response: RepositorySchema,
      handler: ({ auth, params }) => repositories.fetch(auth.user.id, params.id!),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/repositories/:id',
      tag,
      summary: 'Delete a repository mirror (refused while worktrees of it exist)',
      response: RepositorySchema,
      sensitive: true,
      handler: ({ auth, params }) => {
        const removed = repositories.remove(auth.user.id, params.id!);
        audit(auth, 'repository.delete', removed.id);
        return removed;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/worktrees/push',
      tag: 'worktrees',
      summary: "Push a worktree's branch to its origin as an identity (sets the upstream); gives the pull/merge request URL on GitHub and GitLab",
      body: PushWorktreeSchema,
      response: PushResultSchema,
      sensitive: true,
      handler: async ({ auth, body }) => {
        const wt = body.id ? worktrees.get(auth.user.id, body.id) : body.path ? worktrees.findByPath(auth.user.id, body.path) : null;
        if (!wt) throw new AppError('invalid_input', 'give id or path');
        const result = await pushWorktree({ db: deps.db.db, identities, repositories }, auth.user.id, wt, body);
        audit(auth, 'worktree.push', wt.id, { branch: result.branch, remoteBranch: result.remoteBranch, identityId: result.identityId });
        return result;
      },
    }),
  ];
}
