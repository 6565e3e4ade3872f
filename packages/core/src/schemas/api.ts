import { z } from 'zod';
import {
  AbsolutePathSchema,
  AgentSchema,
  CommandLineSchema,
  EnvSchema,
  IdSchema,
  NameSchema,
  TimestampSchema,
} from './common.js';
import { HostParamSchema, HostRefSchema } from './hosts.js';
import { NotifyPreferencesSchema } from './notify.js';
import { CreateWorktreeSchema } from './worktree.js';

/** A change to which attention types notify: true/false sets one, null returns it to inheriting. */
const NotifyPreferencesPatchSchema = z
  .partialRecord(z.enum(['permission', 'question', 'turn_finished', 'stalled', 'errored', 'exited']), z.boolean().nullable())
  .describe('per type: true notifies, false does not, null inherits (folder → parent → user → on)');

// ---- sessions ----
export const SESSION_STATUSES = ['active', 'suspended', 'closed', 'trashed'] as const;
export const SessionStatusSchema = z.enum(SESSION_STATUSES);
export type SessionStatus = z.infer<typeof SessionStatusSchema>;
export const SessionKindSchema = z.enum(['shell', 'agent']);

export const SessionSchema = z.object({
  id: IdSchema,
  name: z.string(),
  tmuxName: z.string(),
  kind: SessionKindSchema,
  agent: AgentSchema.nullable(),
  command: z.string().nullable(),
  cwd: z.string(),
  folderId: IdSchema.nullable(),
  worktreeId: IdSchema.nullable(),
  status: SessionStatusSchema,
  position: z.number(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  lastActivityAt: TimestampSchema.nullable(),
  closedAt: TimestampSchema.nullable(),
  exitCode: z.number().int().nullable(),
  /** The agent's own id for this conversation, as its hooks reported it (to resume it by). */
  agentSessionId: z.string().nullable(),
  /** Set while the session is lost (its tmux session vanished without its shell exiting) and not brought back. */
  lostAt: TimestampSchema.nullable(),
  /** When rdv last brought the session back after a reboot or a lost tmux server. */
  restoredAt: TimestampSchema.nullable(),
  /** The git identity it works as (its worktree's author, the key in its ssh-agent). */
  identityId: IdSchema.nullable(),
  /** The machine it runs on, in lists across hosts (`?host=`); absent or null: this one. */
  host: HostRefSchema.nullable().optional(),
});
export type Session = z.infer<typeof SessionSchema>;

/** `worktree` of POST /api/sessions: the session starts in a new worktree for this branch. */
export const WorktreeRequestSchema = CreateWorktreeSchema;

export const CreateSessionSchema = z
  .object({
    name: NameSchema,
    kind: SessionKindSchema.default('shell'),
    agent: AgentSchema.optional(),
    command: CommandLineSchema.optional(),
    cwd: AbsolutePathSchema.optional(),
    folderId: IdSchema.nullable().optional(),
    env: EnvSchema.optional(),
    cols: z.number().int().min(10).max(1000).optional(),
    rows: z.number().int().min(5).max(500).optional(),
    worktree: WorktreeRequestSchema.optional(),
    identityId: IdSchema.optional().describe("the git identity it works as; else the folder's (inherited), the repository's or the user default"),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.kind === 'shell' && v.agent) {
      ctx.addIssue({ code: 'custom', path: ['agent'], message: 'only agent sessions have an agent' });
    }
    if (v.worktree && v.cwd) {
      ctx.addIssue({ code: 'custom', path: ['cwd'], message: 'give cwd or worktree, not both (a worktree session starts in its worktree)' });
    }
    if (v.agent === 'custom' && !v.command) {
      ctx.addIssue({ code: 'custom', path: ['command'], message: 'a custom agent needs a command' });
    }
  });
export type CreateSession = z.infer<typeof CreateSessionSchema>;
/** A create request as a caller writes it (defaults not applied yet). */
export type CreateSessionInput = z.input<typeof CreateSessionSchema>;

export const UpdateSessionSchema = z
  .object({ name: NameSchema.optional(), folderId: IdSchema.nullable().optional() })
  .strict()
  .refine((v) => v.name !== undefined || v.folderId !== undefined, 'nothing to change: give name or folderId');
export type UpdateSession = z.infer<typeof UpdateSessionSchema>;

export const ListSessionsQuerySchema = z
  .object({
    status: z.enum([...SESSION_STATUSES, 'open', 'all']).default('open'),
    folderId: IdSchema.optional(),
    host: HostParamSchema.optional(),
  })
  .strict();

export const ExecSchema = z.object({ command: CommandLineSchema }).strict();
export const ExecResultSchema = z.object({ sessionId: IdSchema, sent: z.literal(true) });

export const ScrollbackQuerySchema = z
  .object({ lines: z.coerce.number().int().min(1).max(100_000).default(1000) })
  .strict();
export const ScrollbackSchema = z.object({ sessionId: IdSchema, lines: z.number().int(), text: z.string() });

export const MoveSessionSchema = z.object({ folderId: IdSchema.nullable() }).strict();
export const ReorderSchema = z
  .object({ ids: z.array(IdSchema).min(1).max(1000) })
  .strict()
  .refine((v) => new Set(v.ids).size === v.ids.length, 'ids must not repeat');

// ---- folders ----
export const FolderSchema = z.object({
  id: IdSchema,
  name: z.string(),
  parentId: IdSchema.nullable(),
  position: z.number(),
  defaultCwd: z.string().nullable(),
  defaultAgent: AgentSchema.nullable(),
  env: z.record(z.string(), z.string()),
  /** Which attention types notify for this folder's sessions (absent: inherited). */
  notifications: NotifyPreferencesSchema,
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type Folder = z.infer<typeof FolderSchema>;

export const CreateFolderSchema = z
  .object({
    name: NameSchema,
    parentId: IdSchema.nullable().optional(),
    defaultCwd: AbsolutePathSchema.nullable().optional(),
    defaultAgent: AgentSchema.nullable().optional(),
    env: EnvSchema.optional(),
  })
  .strict();
export type CreateFolder = z.infer<typeof CreateFolderSchema>;

export const UpdateFolderSchema = z
  .object({
    name: NameSchema.optional(),
    parentId: IdSchema.nullable().optional(),
    defaultCwd: AbsolutePathSchema.nullable().optional(),
    defaultAgent: AgentSchema.nullable().optional(),
    env: EnvSchema.optional(),
    notifications: NotifyPreferencesPatchSchema.optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');
export type UpdateFolder = z.infer<typeof UpdateFolderSchema>;

export const ReorderFoldersSchema = z
  .object({ parentId: IdSchema.nullable().default(null), ids: z.array(IdSchema).min(1).max(1000) })
  .strict()
  .refine((v) => new Set(v.ids).size === v.ids.length, 'ids must not repeat');

export const DeleteFolderQuerySchema = z.object({}).strict();

// ---- preferences ----
export const PreferencesSchema = z.object({
  defaultCwd: z.string().nullable(),
  defaultAgent: AgentSchema.nullable(),
  env: z.record(z.string(), z.string()),
  theme: z.enum(['system', 'light', 'dark']),
  /** Which attention types notify (absent: on). Folders may differ. */
  notifications: NotifyPreferencesSchema,
  updatedAt: TimestampSchema.nullable(),
});
export type Preferences = z.infer<typeof PreferencesSchema>;

export const UpdatePreferencesSchema = z
  .object({
    defaultCwd: AbsolutePathSchema.nullable().optional(),
    defaultAgent: AgentSchema.nullable().optional(),
    env: EnvSchema.optional(),
    theme: z.enum(['system', 'light', 'dark']).optional(),
    notifications: NotifyPreferencesPatchSchema.optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');
export type UpdatePreferences = z.infer<typeof UpdatePreferencesSchema>;

export const EffectivePreferencesSchema = z.object({
  defaultCwd: z.string().nullable(),
  defaultAgent: AgentSchema.nullable(),
  env: z.record(z.string(), z.string()),
  /** Where each value came from: "user" or a folder id. */
  sources: z.object({ defaultCwd: z.string().nullable(), defaultAgent: z.string().nullable() }),
});
export type EffectivePreferences = z.infer<typeof EffectivePreferencesSchema>;

export const FolderContextSchema = z.object({
  folder: FolderSchema,
  ancestors: z.array(FolderSchema),
  children: z.array(FolderSchema),
  sessions: z.array(SessionSchema),
  preferences: EffectivePreferencesSchema,
});

// ---- tokens ----
export const TokenKindSchema = z.enum(['cli', 'api_key']);
export type TokenKind = z.infer<typeof TokenKindSchema>;
/** What each kind of credential may do, as `rdv token list` shows it. */
export const TOKEN_ABILITIES = {
  cli: 'everything you can do, including managing tokens, keys and sign-ins',
  api_key: 'sessions, folders, worktrees, the orchestrator; never tokens, keys or login links',
} as const satisfies Record<TokenKind, string>;
export const TokenSchema = z.object({
  id: IdSchema,
  kind: TokenKindSchema,
  may: z.string().describe('what this credential may do'),
  name: z.string(),
  prefix: z.string().describe('the first characters of the token, to recognise it'),
  createdAt: TimestampSchema,
  lastUsedAt: TimestampSchema.nullable(),
  expiresAt: TimestampSchema.nullable(),
  revokedAt: TimestampSchema.nullable(),
});
export type Token = z.infer<typeof TokenSchema>;
export const CreateTokenSchema = z
  .object({
    name: NameSchema,
    kind: TokenKindSchema.default('cli'),
    expiresInDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict();
export const CreatedTokenSchema = TokenSchema.extend({
  token: z.string().describe('the secret; shown only in this response'),
});

// ---- browser sign-ins (local mode) ----
export const LoginSessionSchema = z.object({
  id: IdSchema,
  userAgent: z.string().nullable().describe('the browser that signed in, as it named itself'),
  createdAt: TimestampSchema,
  lastSeenAt: TimestampSchema,
  idleExpiresAt: TimestampSchema.describe('when it ends unless used before'),
  expiresAt: TimestampSchema.describe('when it ends however much it is used'),
  revokedAt: TimestampSchema.nullable(),
  state: z.enum(['active', 'expired', 'revoked']),
});
export type LoginSession = z.infer<typeof LoginSessionSchema>;

// ---- auth / health ----
export const AuthMethodSchema = z.enum(['service', 'cli', 'api_key']);
export type AuthMethod = z.infer<typeof AuthMethodSchema>;
export const UserSchema = z.object({
  id: IdSchema,
  email: z.string().nullable(),
  name: z.string().nullable(),
  isOwner: z.boolean(),
  createdAt: TimestampSchema,
});
export type User = z.infer<typeof UserSchema>;
export const MeSchema = z.object({
  user: UserSchema,
  auth: z.object({ method: AuthMethodSchema, tokenId: z.string().nullable() }),
});
/** What the web edge asks the api (service token only): the user of a verified email, or the owner. */
export const ResolveUserSchema = z.union([
  z.object({ email: z.email().max(320) }).strict(),
  z.object({ owner: z.literal(true) }).strict(),
]);
/** A one-time browser login code, as the api hands it out. */
export const LoginLinkSchema = z.object({ code: z.string().min(1), expiresAt: TimestampSchema });
export type LoginLink = z.infer<typeof LoginLinkSchema>;
export const RedeemLoginLinkSchema = z.object({ code: z.string().min(1).max(200) }).strict();

export const HealthSchema = z.object({
  status: z.enum(['healthy', 'degraded']),
  version: z.string(),
  uptimeSeconds: z.number(),
  components: z.object({ database: z.boolean(), tmux: z.boolean() }),
  metrics: z.object({
    activeSessions: z.number().int(),
    tmuxSessions: z.number().int(),
    sseClients: z.number().int(),
    pendingRequests: z.number().int(),
    /** Open websockets (the api serves none: always 0; the terminal service's carry terminals). */
    websocketConnections: z.number().int(),
    /** HTTP requests being answered now, event streams included (the same count as pendingRequests). */
    requestsInFlight: z.number().int(),
  }),
});
export type Health = z.infer<typeof HealthSchema>;

export const AuditEntrySchema = z.object({
  id: z.number().int(),
  at: TimestampSchema,
  action: z.string(),
  outcome: z.enum(['ok', 'denied', 'error']),
  authMethod: z.string().nullable(),
  tokenId: z.string().nullable(),
  target: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});
export const AuditQuerySchema = z
  .object({ limit: z.coerce.number().int().min(1).max(1000).default(100) })
  .strict();

// ---- events ----
export const EVENT_TYPES = [
  'session.created',
  'session.updated',
  'session.closed',
  'session.restored',
  'folder.created',
  'folder.updated',
  'folder.deleted',
  'preferences.updated',
  'insight.created',
  'insight.updated',
  'insight.resolved',
  'orchestrator.updated',
  'agent.state',
  'notification.created',
  'notification.read',
  'host.state',
  'host.event',
  'identity.updated',
  'repository.progress',
  'repository.updated',
  'proposal.created',
  'proposal.updated',
] as const;
export const EventTypeSchema = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventTypeSchema>;
export const RdvEventSchema = z.object({
  id: z.number().int(),
  type: EventTypeSchema,
  at: TimestampSchema,
  data: z.record(z.string(), z.unknown()),
});
export type RdvEvent = z.infer<typeof RdvEventSchema>;
