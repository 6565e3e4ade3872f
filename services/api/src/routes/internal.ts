import { IdSchema, parseInput } from '@rdv/core/schemas';
import { z } from 'zod';
import { defineRoute, type RouteDef } from '../route.js';
import type { RouteDeps } from './table.js';

const SessionEndedSchema = z.object({ sessionId: z.string(), closed: z.boolean() });

/**
 * Routes for rdv's own services (service token only). They live outside /api/, which is
 * all the web edge forwards, so no browser can reach them.
 */
export function internalRoutes(deps: RouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/internal/sessions/:id/ended',
      tag: 'internal',
      summary:
        'For the terminal service: a tmux session it was attached to has ended. Reconciles with tmux now, so the session is ' +
        'marked closed and announced on /api/events without waiting for the periodic reconcile',
      auth: 'service',
      response: SessionEndedSchema,
      handler: async ({ params }) => {
        const sessionId = parseInput(IdSchema, params.id, 'id');
        const { closed } = await deps.sessions.reconcile();
        return { sessionId, closed: closed.includes(sessionId) };
      },
    }),
  ];
}
