import {
  EDGE_ROUTE_PREFIX,
  activeLoginSessionIds,
  checkLoginSession,
  createLoginLink,
  createLoginSession,
  endLoginSession,
  getOwner,
  getUser,
  redeemLoginLink,
  resolveUserByEmail,
  writeAudit,
} from '@rdv/core/auth';
import { AppError } from '@rdv/core/errors';
import { IdSchema, LoginLinkSchema, RedeemLoginLinkSchema, ResolveUserSchema, UserSchema } from '@rdv/core/schemas';
import { z } from 'zod';
import type { AppDeps } from '../context.js';
import type { RouteDeps } from './table.js';
import { defineRoute, type RouteDef } from '../route.js';
import { edgeAuditRoute } from './edge-audit.js';

/** True when the email may become a user: the owner's, or one listed in allowed_emails. */
export function isAdmitted(admission: AppDeps['admission'], email: string): boolean {
  const e = email.trim().toLowerCase();
  if (admission.ownerEmail && e === admission.ownerEmail.toLowerCase()) return true;
  return admission.allowedEmails.some((a) => a.trim().toLowerCase() === e);
}

/**
 * The calls the web edge makes for itself, under EDGE_ROUTE_PREFIX with the edge-only
 * credential: never under /api/, so no browser request is ever forwarded to them.
 */
export function edgeRoutes(deps: RouteDeps): RouteDef[] {
  const db = deps.db.db;
  return [
    defineRoute({
      method: 'post',
      path: `${EDGE_ROUTE_PREFIX}/resolve-user`,
      tag: 'edge',
      summary: 'The user for a verified, admitted email (created on first sight), or the owner',
      auth: 'edge',
      body: ResolveUserSchema,
      response: UserSchema,
      handler: ({ body }) => {
        if ('owner' in body) {
          const owner = getOwner(db);
          if (!owner) throw new AppError('unavailable', 'no owner yet');
          return owner;
        }
        if (!isAdmitted(deps.admission, body.email)) {
          writeAudit(db, { action: 'auth', outcome: 'denied', authMethod: 'cloudflare', target: 'resolve-user', detail: { reason: 'email not admitted' } });
          throw new AppError('forbidden', `${body.email} is not admitted: only owner_email and the addresses in allowed_emails may sign in`);
        }
        const user = resolveUserByEmail(db, body.email);
        // Every user's Master Control watches from their first visit, as the owner's does.
        deps.orchestrator.ensureMaster(user.id);
        return user;
      },
    }),
    defineRoute({
      method: 'post',
      path: `${EDGE_ROUTE_PREFIX}/login-links`,
      tag: 'edge',
      summary: 'A one-time browser login code for a user (the link the edge prints at start)',
      auth: 'edge',
      body: z.object({ userId: IdSchema }).strict(),
      response: LoginLinkSchema,
      status: 201,
      handler: ({ body }) => {
        const user = getUser(db, body.userId);
        if (!user) throw new AppError('not_found', 'no such user');
        const { code, expiresAt } = createLoginLink(db, user.id);
        writeAudit(db, { action: 'login_link.create', outcome: 'ok', userId: user.id, authMethod: 'edge' });
        return { code, expiresAt: expiresAt.toISOString() };
      },
    }),
    defineRoute({
      method: 'post',
      path: `${EDGE_ROUTE_PREFIX}/login-links/redeem`,
      tag: 'edge',
      summary: 'Use up a login code, returning its user',
      auth: 'edge',
      body: RedeemLoginLinkSchema,
      response: UserSchema,
      handler: ({ body }) => {
        const user = redeemLoginLink(db, body.code);
        writeAudit(db, { action: 'login_link.redeem', outcome: user ? 'ok' : 'denied', userId: user?.id ?? null, authMethod: 'edge' });
        if (!user) throw new AppError('unauthorized', 'this login link is invalid, used or expired; ask for a new one with "rdv login-link"');
        return user;
      },
    }),
    ...loginSessionEdgeRoutes(deps),
    edgeAuditRoute(deps),
  ];
}

const SecretSchema = z.object({ secret: z.string().min(1).max(512) }).strict();

/** Browser sign-ins as the edge sees them: made at login, checked per request, ended at sign-out. */
function loginSessionEdgeRoutes(deps: AppDeps): RouteDef[] {
  const db = deps.db.db;
  return [
    defineRoute({
      method: 'post',
      path: `${EDGE_ROUTE_PREFIX}/sessions`,
      tag: 'edge',
      summary: 'Start a browser sign-in for a user who redeemed a login link; the secret is the cookie',
      auth: 'edge',
      body: z.object({ userId: IdSchema, userAgent: z.string().max(1000).optional() }).strict(),
      response: z.object({ id: IdSchema, secret: z.string(), expiresAt: z.string() }),
      status: 201,
      handler: ({ body }) => {
        if (!getUser(db, body.userId)) throw new AppError('not_found', 'no such user');
        const { secret, session } = createLoginSession(db, body.userId, deps.loginSessions, body.userAgent ?? null);
        writeAudit(db, { action: 'login_session.create', outcome: 'ok', userId: body.userId, authMethod: 'login_link', target: session.id });
        return { id: session.id, secret, expiresAt: session.expiresAt };
      },
    }),
    defineRoute({
      method: 'post',
      path: `${EDGE_ROUTE_PREFIX}/sessions/check`,
      tag: 'edge',
      summary: 'The user and sign-in a session cookie stands for; 401 when it is unknown, revoked, idle or expired',
      auth: 'edge',
      body: SecretSchema,
      response: z.object({ sessionId: IdSchema, userId: IdSchema }),
      handler: ({ body }) => {
        const result = checkLoginSession(db, body.secret, deps.loginSessions);
        if (result.ok) return { sessionId: result.sessionId, userId: result.userId };
        writeAudit(db, { action: 'auth', outcome: 'denied', authMethod: 'login_session', target: 'web', detail: { reason: result.reason, sessionId: result.sessionId ?? null } });
        throw new AppError('unauthorized', `this sign-in is ${result.reason === 'unknown' ? 'not known' : result.reason}; open a fresh login link ("rdv login-link")`);
      },
    }),
    defineRoute({
      method: 'post',
      path: `${EDGE_ROUTE_PREFIX}/sessions/end`,
      tag: 'edge',
      summary: 'Sign out the browser holding this cookie',
      auth: 'edge',
      body: SecretSchema,
      response: z.object({ sessionId: IdSchema.nullable() }),
      handler: ({ body }) => {
        const ended = endLoginSession(db, body.secret);
        if (ended) writeAudit(db, { action: 'login_session.end', outcome: 'ok', userId: ended.userId, authMethod: 'login_session', target: ended.id });
        return { sessionId: ended?.id ?? null };
      },
    }),
    defineRoute({
      method: 'post',
      path: `${EDGE_ROUTE_PREFIX}/sessions/active`,
      tag: 'edge',
      summary: 'Of these sign-ins, the ones still active (the edge re-checks its open connections)',
      auth: 'edge',
      body: z.object({ ids: z.array(IdSchema).max(10_000) }).strict(),
      response: z.object({ ids: z.array(IdSchema) }),
      handler: ({ body }) => ({ ids: activeLoginSessionIds(db, body.ids, deps.loginSessions) }),
    }),
  ];
}
