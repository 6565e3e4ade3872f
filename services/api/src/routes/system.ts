import type { Response } from 'express';
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
  type RdvEvent,
} from '@rdv/core/schemas';
import { z } from 'zod';
import { auditAs, type AppDeps } from '../context.js';
import { defineRoute, type RouteDef } from '../route.js';

const EventsQuerySchema = z.object({ lastEventId: z.coerce.number().int().min(0).optional() }).strict();

/** Live SSE connections, so shutdown can end them. */
export interface SseRegistry {
  open: Set<Response>;
  closeAll(): void;
}

export function createSseRegistry(): SseRegistry {
  const open = new Set<Response>();
  return {
    open,
    closeAll() {
      for (const res of open) res.end();
      open.clear();
    },
  };
}

export function systemRoutes(deps: AppDeps, sse: SseRegistry, pending: () => number): RouteDef[] {
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
            sseClients: sse.open.size,
            pendingRequests: pending(),
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
        return resolveUserByEmail(db, body.email);
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
    defineRoute({
      method: 'get',
      path: '/api/events',
      tag: 'events',
      summary:
        'Server-sent events (session.*, folder.*, preferences.*, insight.*). Resume with the Last-Event-ID header or ?lastEventId=',
      query: EventsQuerySchema,
      raw: true,
      handler: ({ auth, req, res, query }) => {
        const header = req.get('last-event-id');
        const fromHeader = header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
        const lastId = fromHeader ?? query.lastEventId;
        res.status(200).set({
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-cache, no-transform',
          Connection: 'keep-alive',
          'X-Accel-Buffering': 'no',
        });
        res.flushHeaders();
        const write = (event: RdvEvent) => res.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
        res.write('retry: 3000\n: connected\n\n');
        let sent = lastId ?? 0;
        const queue: RdvEvent[] = [];
        let replaying = lastId !== undefined;
        const unsubscribe = deps.events.subscribe(auth.user.id, (event) => {
          if (replaying) queue.push(event);
          else if (event.id > sent) {
            sent = event.id;
            write(event);
          }
        });
        if (lastId !== undefined) {
          for (;;) {
            const batch = deps.events.since(auth.user.id, sent, 500);
            for (const event of batch) write(event);
            if (batch.length) sent = batch[batch.length - 1]!.id;
            if (batch.length < 500) break;
          }
          replaying = false;
          for (const event of queue.splice(0)) {
            if (event.id > sent) {
              sent = event.id;
              write(event);
            }
          }
        }
        const heartbeat = setInterval(() => res.write(': ping\n\n'), 15_000);
        sse.open.add(res);
        res.on('close', () => {
          clearInterval(heartbeat);
          unsubscribe();
          sse.open.delete(res);
        });
      },
    }),
  ];
}
