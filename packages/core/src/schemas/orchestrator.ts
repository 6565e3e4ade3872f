import { z } from 'zod';
import { AgentSchema, CONTROL_CHARS, IdSchema, TimestampSchema } from './common.js';

// ---- orchestrators ----
export const ORCHESTRATOR_KINDS = ['master', 'folder'] as const;
export const OrchestratorKindSchema = z.enum(ORCHESTRATOR_KINDS);
export type OrchestratorKind = z.infer<typeof OrchestratorKindSchema>;

/** What auto-intervention types into a stalled agent unless told otherwise. */
export const DEFAULT_NUDGE_TEXT = 'Please continue.';

export const IntervalSecondsSchema = z.number().int().min(1).max(86_400).describe('how often the full check runs (seconds)');
export const StallThresholdSecondsSchema = z
  .number()
  .int()
  .min(1)
  .max(864_000)
  .describe('an agent silent this long, not waiting and not busy, is stalled (seconds)');
export const NudgeTextSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(500, 'must be at most 500 characters')
  .refine((t) => !CONTROL_CHARS.test(t) && !t.includes('\t'), 'must be one line without control characters');

export const OrchestratorSchema = z.object({
  id: IdSchema,
  kind: OrchestratorKindSchema,
  /** The watched folder (folder orchestrators); null for Master Control. */
  folderId: IdSchema.nullable(),
  name: z.string().describe('"Master Control" or the folder name'),
  intervalSeconds: z.number().int(),
  stallThresholdSeconds: z.number().int(),
  autoIntervention: z.boolean(),
  nudgeText: z.string(),
  monitoring: z.boolean(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type Orchestrator = z.infer<typeof OrchestratorSchema>;

const settings = {
  intervalSeconds: IntervalSecondsSchema.optional(),
  stallThresholdSeconds: StallThresholdSecondsSchema.optional(),
  autoIntervention: z.boolean().optional(),
  nudgeText: NudgeTextSchema.nullable().optional().describe('null: the default nudge'),
};

/** `{kind:"master"}` returns the user's Master Control (made on first use); `{kind:"folder", folderId}` makes a folder's. */
export const CreateOrchestratorSchema = z
  .object({ kind: OrchestratorKindSchema.default('master'), folderId: IdSchema.optional(), ...settings })
  .strict()
  .superRefine((v, ctx) => {
    if (v.kind === 'folder' && !v.folderId) ctx.addIssue({ code: 'custom', path: ['folderId'], message: 'a folder orchestrator needs a folderId' });
    if (v.kind === 'master' && v.folderId) ctx.addIssue({ code: 'custom', path: ['folderId'], message: 'Master Control watches all sessions; give no folderId' });
  });
export type CreateOrchestrator = z.infer<typeof CreateOrchestratorSchema>;

export const UpdateOrchestratorSchema = z
  .object(settings)
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');
export type UpdateOrchestrator = z.infer<typeof UpdateOrchestratorSchema>;

export const DeletedOrchestratorSchema = z.object({ id: z.string(), deleted: z.boolean() });

// ---- session states and monitoring ----
export const SESSION_STATES = ['working', 'waiting_input', 'idle', 'stalled', 'errored'] as const;
export const SessionStateSchema = z.enum(SESSION_STATES);
export type SessionState = z.infer<typeof SessionStateSchema>;

export const MONITOR_METHODS = ['control-mode', 'exec'] as const;

export const MonitoredSessionSchema = z.object({
  sessionId: IdSchema,
  name: z.string(),
  folderId: IdSchema.nullable(),
  agent: AgentSchema.nullable(),
  state: SessionStateSchema,
  /** Why: "output", "cpu", "permission", "question", "ready", "shell", "crash", "silent", … */
  reason: z.string(),
  since: TimestampSchema,
  lastOutputAt: TimestampSchema.nullable(),
  quietSeconds: z.number().int(),
  /** The orchestrator whose settings apply to this session. */
  orchestratorId: IdSchema,
});
export type MonitoredSession = z.infer<typeof MonitoredSessionSchema>;

export const MonitoringStatusSchema = z.object({
  orchestratorId: IdSchema,
  monitoring: z.boolean(),
  /** Monitoring is on and the monitor loop is running for it. */
  running: z.boolean(),
  method: z.enum(MONITOR_METHODS).nullable(),
  intervalSeconds: z.number().int(),
  stallThresholdSeconds: z.number().int(),
  lastScanAt: TimestampSchema.nullable(),
  counts: z.record(SessionStateSchema, z.number().int()),
  sessions: z.array(MonitoredSessionSchema),
});
export type MonitoringStatus = z.infer<typeof MonitoringStatusSchema>;

export const StalledSessionSchema = z.object({
  sessionId: IdSchema,
  name: z.string(),
  folderId: IdSchema.nullable(),
  agent: AgentSchema.nullable(),
  lastOutputAt: TimestampSchema.nullable(),
  quietSeconds: z.number().int(),
  stalledSince: TimestampSchema,
  insightId: IdSchema.nullable(),
});
export type StalledSession = z.infer<typeof StalledSessionSchema>;

// ---- insights ----
export const INSIGHT_TYPES = ['waiting_input', 'stalled', 'exited', 'error'] as const;
export const InsightTypeSchema = z.enum(INSIGHT_TYPES);
export type InsightType = z.infer<typeof InsightTypeSchema>;
export const INSIGHT_SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;
export const InsightSeveritySchema = z.enum(INSIGHT_SEVERITIES);
export type InsightSeverity = z.infer<typeof InsightSeveritySchema>;

/** Something a person (or a client) can do about an insight; `inject` ones map onto POST …/inject. */
export const SuggestedActionSchema = z.object({
  id: z.string(),
  label: z.string(),
  kind: z.enum(['inject', 'open', 'resolve']),
  text: z.string().optional(),
  keys: z.array(z.string()).optional(),
});
export type SuggestedAction = z.infer<typeof SuggestedActionSchema>;

export const InsightSchema = z.object({
  id: IdSchema,
  orchestratorId: IdSchema.nullable(),
  sessionId: IdSchema,
  sessionName: z.string().nullable(),
  type: InsightTypeSchema,
  severity: InsightSeveritySchema,
  message: z.string(),
  /** The screen lines that show it. */
  lines: z.array(z.string()),
  context: z.record(z.string(), z.unknown()),
  confidence: z.number().min(0).max(1),
  suggestedActions: z.array(SuggestedActionSchema),
  /** "hook": the agent said so itself; "screen": read from its screen. */
  source: z.enum(['hook', 'screen']),
  resolved: z.boolean(),
  resolvedAt: TimestampSchema.nullable(),
  /** "auto" when the session moved on, else the id of the user who resolved it. */
  resolvedBy: z.string().nullable(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type Insight = z.infer<typeof InsightSchema>;

const queryBool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const ListInsightsQuerySchema = z
  .object({
    open: queryBool.optional().describe('true: open only; false: resolved only; absent: both'),
    sessionId: IdSchema.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();
export type ListInsightsQuery = z.infer<typeof ListInsightsQuerySchema>;

// ---- inject ----
export const InjectSchema = z
  .object({
    sessionId: IdSchema,
    text: z.string().min(1).max(8192).optional().describe('typed literally, then Enter; control characters are refused'),
    keys: z
      .array(z.string().min(1).max(32))
      .min(1)
      .max(32)
      .optional()
      .describe('named keys pressed after the text: Enter, Esc, Tab, Ctrl-C (C-c), Up, Down, Left, Right, … or one printable character'),
    enter: z.boolean().optional().describe('press Enter after the text (default true)'),
    reason: z
      .string()
      .max(500)
      .refine((t) => !CONTROL_CHARS.test(t), 'must be one line')
      .optional()
      .describe('why, for the audit log'),
  })
  .strict()
  .refine((v) => v.text !== undefined || v.keys !== undefined, 'give text or keys to send');
export type InjectInput = z.infer<typeof InjectSchema>;

export const InjectResultSchema = z.object({
  sessionId: IdSchema,
  orchestratorId: IdSchema,
  sent: z.literal(true),
  textChars: z.number().int(),
  enter: z.boolean(),
  keys: z.array(z.string()).describe('the tmux key names pressed'),
  at: TimestampSchema,
});
export type InjectResult = z.infer<typeof InjectResultSchema>;

// ---- agent hooks ----
/** Agents rdv launches with hooks of their own (a custom command has none). */
export const HOOK_AGENTS = ['claude', 'codex', 'gemini', 'opencode'] as const;
export const HookAgentSchema = z.enum(HOOK_AGENTS);
export type HookAgent = z.infer<typeof HookAgentSchema>;

/** Where an insight or a state came from: the agent's own hooks (exact) or reading its screen. */
export const SIGNAL_SOURCES = ['hook', 'screen'] as const;
export const SignalSourceSchema = z.enum(SIGNAL_SOURCES);
export type SignalSource = z.infer<typeof SignalSourceSchema>;

/** POST /api/sessions/:id/agent-events: one event as the agent's hook reported it (`rdv hook <agent>` sends it). */
export const AgentEventSchema = z
  .object({
    agent: HookAgentSchema,
    event: z.record(z.string(), z.unknown()).describe("the agent's own event JSON (long strings cut by rdv hook)"),
  })
  .strict();
export type AgentEvent = z.infer<typeof AgentEventSchema>;

/** A session's agent state as last reported (published as `agent.state` on /api/events). */
export const AgentStateSchema = z.object({
  sessionId: IdSchema,
  state: SessionStateSchema,
  /** "permission", "question", "ready", "prompt", "tool", "compacting", "started", "error", "exited", … */
  reason: z.string(),
  source: SignalSourceSchema,
  message: z.string().nullable(),
  at: TimestampSchema,
});
export type AgentState = z.infer<typeof AgentStateSchema>;

export const AgentEventResultSchema = z.object({
  sessionId: IdSchema,
  /** The event was understood (an unknown one is accepted and ignored). */
  recognised: z.boolean(),
  state: AgentStateSchema.nullable(),
});
