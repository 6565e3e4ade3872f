import { z } from 'zod';
import { CreateFolderHookSchema, FolderHookSchema, HookRunSchema, ListHookRunsQuerySchema, UpdateFolderHookSchema, listOf } from '@rdv/core/schemas';
import { auditAs } from '../context.js';
import { defineRoute, type RouteDef } from '../route.js';
import type { RouteDeps } from './table.js';

const tag = 'hooks';
const DeletedHookSchema = z.object({ id: z.string(), deleted: z.boolean() });

/** /api/folders/:id/hooks: commands run on the folder's session events (inherited down the tree). */
export function hookRoutes(deps: RouteDeps): RouteDef[] {
  const { hooks } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/api/folders/:id/hooks',
      tag,
      summary: "The hooks that run for the folder's sessions: its own and its ancestors' (root first)",
      response: listOf(FolderHookSchema),
      handler: ({ auth, params }) => ({ items: hooks.list(auth.user.id, params.id!) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/folders/:id/hooks',
      tag,
      summary: 'Add a hook: argv run (no shell) on the given session events, the event as JSON on stdin',
      body: CreateFolderHookSchema,
      response: FolderHookSchema,
      status: 201,
      sensitive: true,
      handler: ({ auth, params, body }) => {
        const hook = hooks.create(auth.user.id, params.id!, body);
        auditAs(deps, auth, 'hook.create', hook.id, { folderId: hook.folderId, events: hook.events, argv0: hook.argv[0] });
        return hook;
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/folders/:id/hooks/:hookId',
      tag,
      summary: "Change one of the folder's own hooks",
      body: UpdateFolderHookSchema,
      response: FolderHookSchema,
      sensitive: true,
      handler: ({ auth, params, body }) => {
        const hook = hooks.update(auth.user.id, params.id!, params.hookId!, body);
        auditAs(deps, auth, 'hook.update', hook.id, { folderId: hook.folderId, changed: Object.keys(body) });
        return hook;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/folders/:id/hooks/:hookId',
      tag,
      summary: "Delete one of the folder's own hooks and its runs (idempotent)",
      response: DeletedHookSchema,
      sensitive: true,
      handler: ({ auth, params }) => {
        const result = hooks.delete(auth.user.id, params.id!, params.hookId!);
        auditAs(deps, auth, 'hook.delete', params.hookId!, { folderId: params.id!, deleted: result.deleted });
        return result;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/folders/:id/hooks/:hookId/runs',
      tag,
      summary: "A hook's runs, newest first: event, exit code, timeout, output",
      query: ListHookRunsQuerySchema,
      response: listOf(HookRunSchema),
      handler: ({ auth, params, query }) => ({ items: hooks.runs(auth.user.id, params.id!, params.hookId!, query.limit) }),
    }),
  ];
}
