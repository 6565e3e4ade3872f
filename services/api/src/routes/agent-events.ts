import { AgentEventResultSchema, AgentEventSchema } from '@rdv/core/schemas';
import { hookOf } from '../context.js';
import { defineRoute, type RouteDef } from '../route.js';
import type { RouteDeps } from './table.js';

/**
 * POST /api/sessions/:id/agent-events: what the session's agent reports through its hooks
 * (`rdv hook <agent>` posts it). Only that session's hook credential is accepted here, and
 * it is accepted nowhere else.
 */
export function agentEventRoutes(deps: RouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/sessions/:id/agent-events',
      tag: 'sessions',
      summary:
        "For a session's agent hooks (Bearer RDV_HOOK_TOKEN of that session only): one hook event as the agent reported it. " +
        'Sets the agent state (it outranks reading the screen), opens or resolves insights, keeps the native session id',
      auth: 'hook',
      body: AgentEventSchema,
      response: AgentEventResultSchema,
      handler: ({ req, body }) => {
        const { userId, sessionId } = hookOf(req);
        const { recognised, state } = deps.orchestrator.reportAgentEvent(userId, sessionId, body);
        return { sessionId, recognised, state };
      },
    }),
  ];
}
