import { z } from 'zod';
import { AppError } from '@rdv/core/errors';
import {
  CleanupReportSchema,
  CleanupWorktreesSchema,
  CreateWorktreeSchema,
  IdSchema,
  ListWorktreesQuerySchema,
  RemoveWorktreeSchema,
  SessionSchema,
  TrashEntrySchema,
  WorktreeRefQuerySchema,
  WorktreeSchema,
  WorktreeWithStatusSchema,
  listOf,
} from '@rdv/core/schemas';
import { auditAs } from '../context.js';
import { defineRoute, type RouteDef } from '../route.js';
import type { RouteDeps } from './table.js';

const tag = 'worktrees';

/** /api/worktrees and /api/trash. */
export function worktreeRoutes(deps: RouteDeps): RouteDef[] {
  const { worktrees, sessions } = deps;
  const audit = auditAs.bind(null, deps);
  const resolveRef = (userId: string, ref: { id?: string; path?: string }) =>
    ref.id ? worktrees.get(userId, ref.id) : worktrees.findByPath(userId, ref.path!);

  return [
    defineRoute({
      method: 'get',
      path: '/api/worktrees',
      tag,
      summary: 'Your worktrees (active unless ?status=), optionally of one repository',
      query: ListWorktreesQuerySchema,
      response: listOf(WorktreeSchema),
      handler: ({ auth, query }) => ({ items: worktrees.list(auth.user.id, query) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/worktrees',
      tag,
      summary: 'Create a worktree for a branch (new from base, or an existing local/remote branch)',
      body: CreateWorktreeSchema,
      response: WorktreeSchema,
      status: 201,
      handler: async ({ auth, body }) => {
        const wt = await worktrees.create(auth.user.id, body);
        audit(auth, 'worktree.create', wt.id, { path: wt.path, branch: wt.branch });
        return wt;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/worktrees',
      tag,
      summary: 'Remove a worktree by id or path; refuses uncommitted or unpushed changes unless force',
      body: RemoveWorktreeSchema,
      response: WorktreeSchema,
      sensitive: true,
      handler: async ({ auth, body }) => {
        const wt = resolveRef(auth.user.id, body);
        const removed = await worktrees.remove(auth.user.id, wt.id, body.force);
        audit(auth, 'worktree.remove', wt.id, { path: wt.path, force: body.force });
        return removed;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/worktrees/status',
      tag,
      summary: 'Git status of a worktree (?id= or ?path=) or of all your worktrees of a repository (?repoPath=)',
      query: WorktreeRefQuerySchema,
      response: listOf(WorktreeWithStatusSchema),
      handler: async ({ auth, query }) => {
        const list = query.repoPath ? worktrees.list(auth.user.id, { repoPath: query.repoPath }) : [resolveRef(auth.user.id, query)];
        const items = [];
        for (const wt of list) items.push({ ...wt, git: await worktrees.status(auth.user.id, wt) });
        return { items };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/worktrees/cleanup',
      tag,
      summary: 'Find merged, stale and orphaned worktrees; with remove:true, remove those without changes',
      body: CleanupWorktreesSchema,
      response: CleanupReportSchema,
      sensitive: true,
      handler: async ({ auth, body }) => {
        const items = await worktrees.cleanup(auth.user.id, body);
        if (body.remove) audit(auth, 'worktree.cleanup', body.repoPath ?? '*', { removed: items.filter((i) => i.removed).length });
        return { items };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/trash',
      tag: 'trash',
      summary: 'Closed worktree sessions waiting in the trash',
      response: listOf(TrashEntrySchema),
      handler: ({ auth }) => ({ items: worktrees.listTrash(auth.user.id) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/trash/:id/restore',
      tag: 'trash',
      summary: 'Bring a trashed session and its worktree back',
      response: z.object({ entry: TrashEntrySchema.nullable(), session: SessionSchema.nullable() }),
      handler: async ({ auth, params }) => {
        if (!IdSchema.safeParse(params.id).success) throw new AppError('not_found', `trash entry ${params.id} not found`);
        const entry = worktrees.listTrash(auth.user.id).find((t) => t.id === params.id) ?? null;
        const session = await sessions.restore(auth.user.id, params.id!);
        audit(auth, 'trash.restore', params.id!);
        return { entry, session };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/trash/:id',
      tag: 'trash',
      summary: 'Delete one trashed worktree for good (its branch stays in the repository)',
      response: z.object({ emptied: z.number().int() }),
      sensitive: true,
      handler: async ({ auth, params }) => {
        if (!IdSchema.safeParse(params.id).success) throw new AppError('not_found', `trash entry ${params.id} not found`);
        const emptied = await worktrees.emptyTrash(auth.user.id, params.id);
        audit(auth, 'trash.delete', params.id!);
        return { emptied };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/trash',
      tag: 'trash',
      summary: 'Empty the trash',
      response: z.object({ emptied: z.number().int() }),
      sensitive: true,
      handler: async ({ auth }) => {
        const emptied = await worktrees.emptyTrash(auth.user.id);
        audit(auth, 'trash.empty', '*', { emptied });
        return { emptied };
      },
    }),
  ];
}
