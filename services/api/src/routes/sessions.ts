
import {
  CreateSessionSchema,
  ExecResultSchema,
  ExecSchema,
  ListSessionsQuerySchema,
  MoveSessionSchema,
  ReorderSchema,
  ScrollbackQuerySchema,
  ScrollbackSchema,
  SessionSchema,
  UpdateSessionSchema,
  listOf,
} from '@rdv/core/schemas';
import { listAcrossHosts } from '../across-hosts.js';
import { auditAs } from '../context.js';
import { defineRoute, type RouteDef } from '../route.js';
import { createListCache } from './list-cache.js';
import type { RouteDeps } from './table.js';

const tag = 'sessions';

export function sessionRoutes(deps: RouteDeps): RouteDef[] {
  const { sessions } = deps;
  const audit = auditAs.bind(null, deps);
  // The sidebar and every client poll this list; with a thousand sessions building it is the cost.
  const listCache = createListCache(deps.db);

  return [
    defineRoute({
      method: 'get',
      path: '/api/sessions',
      tag,
      summary: 'List sessions (open ones unless ?status= says otherwise); ?host=all merges every host, ?host=<id or name> lists one',
      query: ListSessionsQuerySchema,
      response: listOf(SessionSchema),
      handler: async ({ auth, query }) => {
        const { host, ...filter } = query;
        const local = () => sessions.list(auth.user.id, filter);
        if (!host || host === 'local') return listCache.get(`${auth.user.id} ${filter.status ?? ''} ${filter.folderId ?? ''}`, () => ({ items: local() }));
        const search = new URLSearchParams({ status: filter.status, ...(filter.folderId ? { folderId: filter.folderId } : {}) });
        return { items: await listAcrossHosts(deps.hosts, auth.user.id, host, `/api/sessions?${search}`, local) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/sessions',
      tag,
      summary: 'Create a session: a shell or an agent in its own tmux session',
      body: CreateSessionSchema,
      response: SessionSchema,
      status: 201,
      handler: async ({ auth, body }) => {
        const session = await sessions.create(auth.user.id, body);
        // A custom command is code run on the machine: the audit row keeps it, as exec's does its size.
        audit(auth, 'session.create', session.id, { kind: session.kind, agent: session.agent, ...(body.command ? { command: body.command } : {}) });
        return session;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/sessions/reorder',
      tag,
      summary: 'Set the order of sessions: the given ids get positions 0, 1, 2, …',
      body: ReorderSchema,
      response: listOf(SessionSchema),
      handler: ({ auth, body }) => ({ items: sessions.reorder(auth.user.id, body.ids) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/sessions/:id',
      tag,
      summary: 'Get a session by id',
      response: SessionSchema,
      handler: ({ auth, params }) => sessions.get(auth.user.id, params.id!),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/sessions/:id',
      tag,
      summary: 'Rename a session or move it to a folder',
      body: UpdateSessionSchema,
      response: SessionSchema,
      handler: ({ auth, params, body }) => {
        let session = sessions.get(auth.user.id, params.id!);
        if (body.name !== undefined) session = sessions.rename(auth.user.id, session.id, body.name);
        if (body.folderId !== undefined) session = sessions.move(auth.user.id, session.id, body.folderId);
        return session;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/sessions/:id',
      tag,
      summary: 'Close a session: kills its tmux session (idempotent)',
      response: SessionSchema,
      sensitive: true,
      handler: async ({ auth, params }) => {
        const session = await sessions.close(auth.user.id, params.id!);
        audit(auth, 'session.close', session.id);
        return session;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/sessions/:id/suspend',
      tag,
      summary: 'Suspend a session (its tmux session keeps running)',
      response: SessionSchema,
      handler: ({ auth, params }) => sessions.suspend(auth.user.id, params.id!),
    }),
    defineRoute({
      method: 'post',
      path: '/api/sessions/:id/resume',
      tag,
      summary: 'Resume a suspended session (restarting its tmux session if it is gone)',
      response: SessionSchema,
      handler: ({ auth, params }) => sessions.resume(auth.user.id, params.id!),
    }),
    defineRoute({
      method: 'post',
      path: '/api/sessions/:id/exec',
      tag,
      summary: 'Type a command line into the session, then Enter',
      body: ExecSchema,
      response: ExecResultSchema,
      sensitive: true,
      handler: async ({ auth, params, body }) => {
        // exec looks the session up itself (not_found for anyone else's): one read per command.
        await sessions.exec(auth.user.id, params.id!, body.command);
        audit(auth, 'session.exec', params.id!, { bytes: Buffer.byteLength(body.command) });
        return { sessionId: params.id!, sent: true as const };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/sessions/:id/scrollback',
      tag,
      summary: 'The last N lines of the session (screen and history), as text',
      query: ScrollbackQuerySchema,
      response: ScrollbackSchema,
      handler: ({ auth, params, query }) => sessions.scrollback(auth.user.id, params.id!, query.lines),
    }),
    defineRoute({
      method: 'put',
      path: '/api/sessions/:id/folder',
      tag,
      summary: 'Move a session into a folder (null: the top level)',
      body: MoveSessionSchema,
      response: SessionSchema,
      handler: ({ auth, params, body }) => sessions.move(auth.user.id, params.id!, body.folderId),
    }),
  ];
}

