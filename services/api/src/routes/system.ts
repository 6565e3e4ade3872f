import { createLoginLink, getOwner, listAudit, redeemLoginLink, resolveUserByEmail, writeAudit } from '@rdv/core/auth';
import { AppError } from '@rdv/core/errors';
import { baseHealth } from '@rdv/core/lifecycle';
import {
  AuditEntrySchema,
  AuditQuerySchema,
  HealthSchema,
  LoginLinkSchema,
  MeSchema,
  RedeemLoginLinkSchema,
  ResolveUserSchema,
  UserSchema,
  listOf,
} from '@rdv/core/schemas';
import { auditAs } from '../context.js';
import { defineRoute, type RouteDef } from '../route.js';
import type { RouteDeps } from './table.js';

/** Health, who-am-I, the edge's user and login-link routes, and the audit log. */
export function systemRoutes(deps: RouteDeps): RouteDef[] {
  const db = deps.db.db;
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
          countTmuxSessions: async () => (await deps.tmux.listSessions()).length,
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
      path: '/api/auth/resolve-user',
      tag: 'auth',
      summary: 'For the web edge (service token only): the user for a verified email, or the owner',
      auth: 'service',
      body: ResolveUserSchema,
      response: UserSchema,
      handler: ({ body }) => {
        if ('owner' in body) {
          const owner = getOwner(db);
          if (!owner) throw new AppError('unavailable', 'no owner yet');
          return owner;
        }
        const user = resolveUserByEmail(db, body.email);
        // Every user's Master Control watches from their first visit, as the owner's does.
        deps.orchestrator.ensureMaster(user.id);
        return user;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/login-links',
      tag: 'auth',
      summary: 'A one-time browser login code for you (local mode; valid 10 minutes). Open <web>/login?code=…',
      response: LoginLinkSchema,
      status: 201,
      sensitive: true,
      handler: ({ auth }) => {
        const { code, expiresAt } = createLoginLink(db, auth.user.id);
        auditAs(deps, auth, 'login_link.create', null);
        return { code, expiresAt: expiresAt.toISOString() };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/login-links/redeem',
      tag: 'auth',
      summary: 'For the web edge (service token only): use up a login code, returning its user',
      auth: 'service',
      body: RedeemLoginLinkSchema,
      response: UserSchema,
      handler: ({ body }) => {
        const user = redeemLoginLink(db, body.code);
        writeAudit(db, { action: 'login_link.redeem', outcome: user ? 'ok' : 'denied', userId: user?.id ?? null, authMethod: 'service' });
        if (!user) throw new AppError('unauthorized', 'this login link is invalid, used or expired; ask for a new one with "rdv login-link"');
        return user;
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
