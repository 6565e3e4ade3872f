import { AppError } from '@rdv/core/errors';
import { WorktreeDiffQuerySchema, WorktreeDiffSchema } from '@rdv/core/schemas';
import { diffOfWorktree } from '@rdv/core/worktree';
import { defineRoute, type RouteDef } from '../route.js';
import type { RouteDeps } from './table.js';

/** GET /api/worktrees/diff: what a worktree changed, for review before it is pushed. */
export function worktreeDiffRoutes(deps: RouteDeps): RouteDef[] {
  const { worktrees, sessions } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/api/worktrees/diff',
      tag: 'worktrees',
      summary:
        'Unified diff of a worktree (?sessionId=, ?id= or ?path=) against the merge base with its base (or ?base=): commits, uncommitted and untracked files, size-capped',
      query: WorktreeDiffQuerySchema,
      response: WorktreeDiffSchema,
      handler: async ({ auth, query }) => {
        const userId = auth.user.id;
        let id = query.id;
        if (query.sessionId) {
          const session = sessions.get(userId, query.sessionId);
          if (!session.worktreeId) throw new AppError('invalid_input', `session ${session.name} has no worktree`);
          id = session.worktreeId;
        }
        const wt = id ? worktrees.get(userId, id) : worktrees.findByPath(userId, query.path!);
        return diffOfWorktree(wt, { base: query.base, maxBytes: query.maxBytes, maxFileBytes: query.maxFileBytes });
      },
    }),
  ];
}
