import { EDGE_ROUTE_PREFIX, createLoginLink, getOwner, getUser, redeemLoginLink, resolveUserByEmail, writeAudit } from '@rdv/core/auth';
import { AppError } from '@rdv/core/errors';
import { IdSchema, UserSchema } from '@rdv/core/schemas';
import { z } from 'zod';
import type { AppDeps } from '../context.js';
import { defineRoute, type RouteDef } from '../route.js';

const ResolveUserBodySchema = z.union([
  z.object({ email: z.email().max(320) }).strict(),
  z.object({ owner: z.literal(true) }).strict(),
]);

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
export function edgeRoutes(deps: AppDeps): RouteDef[] {
  const db = deps.db.db;
  return [
    defineRoute({
      method: 'post',
      path: `${EDGE_ROUTE_PREFIX}/resolve-user`,
      tag: 'edge',
      summary: 'The user for a verified, admitted email (created on first sight), or the owner',
      auth: 'edge',
      body: ResolveUserBodySchema,
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
        return resolveUserByEmail(db, body.email);
      },
    }),
    defineRoute({
      method: 'post',
      path: `${EDGE_ROUTE_PREFIX}/login-links`,
      tag: 'edge',
      summary: 'A one-time browser login code for a user (the link the edge prints at start)',
      auth: 'edge',
      body: z.object({ userId: IdSchema }).strict(),
      response: z.object({ code: z.string(), expiresAt: z.string() }),
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
      body: z.object({ code: z.string().min(1).max(200) }).strict(),
      response: UserSchema,
      handler: ({ body }) => {
        const user = redeemLoginLink(db, body.code);
        writeAudit(db, { action: 'login_link.redeem', outcome: user ? 'ok' : 'denied', userId: user?.id ?? null, authMethod: 'edge' });
        if (!user) throw new AppError('unauthorized', 'this login link is invalid, used or expired; ask for a new one with "rdv login-link"');
        return user;
      },
    }),
  ];
}
