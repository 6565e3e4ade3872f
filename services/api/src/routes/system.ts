import { createLoginLink, listAudit } from '@rdv/core/auth';
import { baseHealth, cachedCount } from '@rdv/core/lifecycle';
import { AuditEntrySchema, AuditQuerySchema, HealthSchema, LoginLinkSchema, MeSchema, listOf } from '@rdv/core/schemas';
import { auditAs } from '../context.js';
import { defineRoute, type RouteDef } from '../route.js';
import type { RouteDeps } from './table.js';

/** Health, who-am-I, login links and the audit log (the edge's own calls are in edge.ts). */
export function systemRoutes(deps: RouteDeps): RouteDef[] {
  const db = deps.db.db;
  // Polled by supervisors and probes: tmux is counted at most every 2 s, not once per call.
  const countTmuxSessions = cachedCount(async () => (await deps.tmux.listSessions()).length, 2000);
  return [
    defineRoute({
      method: 'get',
      path: '/health',
      tag: 'system',
      summary: 'Service health: database, tmux, counts',
      auth: 'none',
      response: HealthSchema,
      handler: async () => {
        const { tmuxSessions, ...base } = await baseHealth({
          version: deps.version,
          startedAt: deps.startedAt,
          database: deps.db.ping(),
          countTmuxSessions,
        });
        return {
          ...base,
          metrics: {
            activeSessions: base.components.database ? deps.sessions.countOpen() : 0,
            tmuxSessions,
            sseClients: deps.sse.open.size,
            pendingRequests: deps.pending(),
            websocketConnections: 0,
            requestsInFlight: deps.pending(),
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/auth/me',
      tag: 'auth',
      summary: 'Who is calling, and how they authenticated',
      response: MeSchema,
      handler: ({ auth }) => ({ user: auth.user, auth: { method: auth.method, tokenId: auth.tokenId } }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/login-links',
      tag: 'auth',
      summary: 'A one-time browser login code for you (local mode; valid 10 minutes). Open <web>/login?code=…',
      response: LoginLinkSchema,
      status: 201,
      sensitive: true,
      managesCredentials: true,
      handler: ({ auth }) => {
        const { code, expiresAt } = createLoginLink(db, auth.user.id);
        auditAs(deps, auth, 'login_link.create', null);
        return { code, expiresAt: expiresAt.toISOString() };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/audit',
      tag: 'auth',
      summary: 'Your most recent audit log entries, newest first',
      query: AuditQuerySchema,
      response: listOf(AuditEntrySchema),
      handler: ({ auth, query }) => ({ items: listAudit(db, auth.user.id, query.limit) }),
    }),
  ];
}
