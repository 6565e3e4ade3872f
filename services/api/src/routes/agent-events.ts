import { promptOf } from '@rdv/core/knowledge';
import { AgentEventResultSchema, AgentEventSchema, CONTROL_CHARS, InsightSchema } from '@rdv/core/schemas';
import { z } from 'zod';
import { auditAs, hookOf } from '../context.js';
import { defineRoute, type RouteDef } from '../route.js';
import type { RouteDeps } from './table.js';

const RequestAttentionSchema = z
  .object({
    message: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .refine((m) => !CONTROL_CHARS.test(m), 'must be one line without control characters'),
  })
  .strict();

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
        // Noted before the event moves the agent on: a prompt typed while it waited may be worth proposing.
        const prompt = promptOf(body.event);
        if (prompt) deps.learnings.noteInput(userId, sessionId, { text: prompt, source: 'prompt' });
        const { recognised, state } = deps.orchestrator.reportAgentEvent(userId, sessionId, body);
        return { sessionId, recognised, state };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/sessions/:id/attention',
      tag: 'sessions',
      summary: 'An agent asks for its human (MCP request_attention): the session waits for you with this message, and it notifies like a question',
      body: RequestAttentionSchema,
      response: InsightSchema,
      status: 201,
      handler: ({ auth, params, body }) => {
        const insight = deps.orchestrator.requestAttention(auth.user.id, params.id!, body.message);
        auditAs(deps, auth, 'session.request_attention', insight.sessionId, { chars: body.message.length });
        return insight;
      },
    }),
  ];
}
