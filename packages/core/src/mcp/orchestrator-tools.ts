import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { AppError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { CONTROL_CHARS, IdSchema } from '../schemas/index.js';
import type { Loose, RdvApi } from './api.js';
import { LooseListSchema, LooseObjectSchema, SessionRefSchema, registerRdvTool } from './tool.js';

const readOnly = { readOnlyHint: true, openWorldHint: false } as const;
const OrchestratorIdSchema = IdSchema.describe('the orchestrator id, from orchestrator_status (default: Master Control)');

/** orchestrator_status, insight_list, insight_resolve, session_inject, request_attention. */
export function registerOrchestratorTools(server: McpServer, api: RdvApi, log: Logger, currentSessionId?: string): void {
  registerRdvTool(server, log, {
    name: 'request_attention',
    area: 'orchestrator',
    title: 'Ask for your human',
    description:
      'Tell the person who runs you that you need them, with a short message (a decision, a password, a review). It shows in their attention list and reaches their phone or webhook like a question. Inside an rdv session the session defaults to your own.',
    input: {
      message: z.string().trim().min(1).max(500).refine((m) => !CONTROL_CHARS.test(m), 'one line, no control characters').describe('what you need from them, in one line'),
      session: SessionRefSchema.optional().describe('the session that needs them (default: the one this MCP server runs in)'),
    },
    output: LooseObjectSchema,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    run: async (a) => {
      const ref = a.session ?? currentSessionId;
      if (!ref) throw new AppError('invalid_input', 'session: not running inside an rdv session; say which session needs them');
      const session = await api.resolveSession(ref);
      return api.requestAttention(String(session.id), a.message);
    },
  });

  registerRdvTool(server, log, {
    name: 'orchestrator_status',
    area: 'orchestrator',
    title: 'Orchestrator status',
    description:
      'The orchestrators (Master Control watches all sessions; folder orchestrators one folder) with their settings and monitoring status: whether they are watching, and the state of each watched session (working, waiting_input, idle, stalled, errored).',
    input: { orchestratorId: OrchestratorIdSchema.optional().describe('only this orchestrator (default: all)') },
    output: LooseListSchema,
    annotations: readOnly,
    run: async (a) => {
      const { items } = await api.listOrchestrators();
      const chosen = a.orchestratorId ? items.filter((o) => o.id === a.orchestratorId) : items;
      if (a.orchestratorId && !chosen.length) throw new AppError('not_found', `orchestrator ${a.orchestratorId} not found`);
      const withStatus = await Promise.all(
        chosen.map(async (o): Promise<Loose> => {
          let monitoringStatus: Loose | null = null;
          try {
            monitoringStatus = await api.monitoringStatus(String(o.id));
          } catch {
            // The list is still useful without one orchestrator's monitoring detail.
          }
          return { ...o, monitoringStatus };
        }),
      );
      return { items: withStatus };
    },
  });

  registerRdvTool(server, log, {
    name: 'insight_list',
    area: 'orchestrator',
    title: 'List insights',
    description:
      'What the orchestrators noticed, newest first: agents waiting for a human (waiting_input), stalled agents, agents that exited to the shell, errors. Each has the session, a message, the screen lines, and suggested actions (inject ones map onto session_inject). Open ones unless includeResolved.',
    input: {
      orchestratorId: OrchestratorIdSchema.optional().describe('only this orchestrator\'s insights (default: all of yours)'),
      includeResolved: z.boolean().optional().describe('also list resolved insights'),
    },
    output: LooseListSchema,
    annotations: readOnly,
    run: (a) => api.insights(a.orchestratorId, Boolean(a.includeResolved)),
  });

  registerRdvTool(server, log, {
    name: 'insight_resolve',
    area: 'orchestrator',
    title: 'Resolve an insight',
    description: 'Mark an insight resolved (idempotent). Insights also resolve by themselves when the session moves again.',
    input: { insightId: IdSchema.describe('the insight id (see insight_list)') },
    output: LooseObjectSchema,
    annotations: { idempotentHint: true },
    run: (a) => api.resolveInsight(a.insightId),
  });

  registerRdvTool(server, log, {
    name: 'session_inject',
    area: 'orchestrator',
    title: 'Inject into a session',
    description:
      'Type text (then Enter) and/or press named keys (e.g. "C-c", "Escape", "Enter", "Up", or one character like "y") in a session, through an orchestrator. Audited and rate limited; use it to answer or unblock an agent.',
    input: {
      session: SessionRefSchema,
      text: z
        .string()
        .min(1)
        .max(4096)
        .refine((t) => !CONTROL_CHARS.test(t), 'must be one line without control characters; send keys for those')
        .optional()
        .describe('a line to type'),
      enter: z.boolean().optional().describe('press Enter after the text (default true)'),
      keys: z.array(z.string().min(1).max(32)).min(1).max(32).optional().describe('key names pressed after the text, e.g. ["C-c"]'),
      reason: z.string().max(500).optional().describe('why, for the audit log'),
      orchestratorId: OrchestratorIdSchema.optional(),
    },
    output: LooseObjectSchema,
    run: async (a) => {
      if (!a.text && !a.keys) throw new AppError('invalid_input', 'give text or keys to send');
      const session = await api.resolveSession(a.session);
      const orchestratorId = a.orchestratorId ?? (await api.masterOrchestrator()).id;
      return api.inject(orchestratorId, {
        sessionId: session.id,
        ...(a.text ? { text: a.text } : {}),
        ...(a.enter !== undefined ? { enter: a.enter } : {}),
        ...(a.keys ? { keys: a.keys } : {}),
        ...(a.reason ? { reason: a.reason } : {}),
      });
    },
  });
}
