import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

// Portable on purpose: text ids (UUIDs), integer millisecond timestamps, JSON in text
// columns, no SQLite-only types, so a PostgreSQL schema can mirror this one.

const ts = (name: string) => integer(name, { mode: 'timestamp_ms' });
const created = () => ts('created_at').notNull().default(sql`(unixepoch() * 1000)`);
const updated = () => ts('updated_at').notNull().default(sql`(unixepoch() * 1000)`);

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email'),
    name: text('name'),
    isOwner: integer('is_owner', { mode: 'boolean' }).notNull().default(false),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [uniqueIndex('users_email_idx').on(t.email)],
);

export const tokens = sqliteTable(
  'tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['cli', 'api_key'] }).notNull(),
    name: text('name').notNull(),
    hash: text('hash').notNull(),
    prefix: text('prefix').notNull(),
    createdAt: created(),
    lastUsedAt: ts('last_used_at'),
    expiresAt: ts('expires_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('tokens_hash_idx').on(t.hash), index('tokens_user_idx').on(t.userId)],
);

export const folders = sqliteTable(
  'folders',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    parentId: text('parent_id'),
    name: text('name').notNull(),
    position: real('position').notNull().default(0),
    defaultCwd: text('default_cwd'),
    defaultAgent: text('default_agent'),
    env: text('env', { mode: 'json' }).$type<Record<string, string>>(),
    preferences: text('preferences', { mode: 'json' }).$type<Record<string, unknown>>(),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [index('folders_user_parent_idx').on(t.userId, t.parentId)],
);

export const worktrees = sqliteTable(
  'worktrees',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    repoPath: text('repo_path').notNull(),
    path: text('path').notNull(),
    branch: text('branch').notNull(),
    base: text('base'),
    status: text('status').notNull().default('active'),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [uniqueIndex('worktrees_path_idx').on(t.path), index('worktrees_user_idx').on(t.userId)],
);

export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    folderId: text('folder_id'),
    name: text('name').notNull(),
    tmuxName: text('tmux_name').notNull(),
    kind: text('kind', { enum: ['shell', 'agent'] }).notNull(),
    agent: text('agent'),
    command: text('command'),
    cwd: text('cwd').notNull(),
    env: text('env', { mode: 'json' }).$type<Record<string, string>>(),
    worktreeId: text('worktree_id'),
    status: text('status', { enum: ['active', 'suspended', 'closed', 'trashed'] })
      .notNull()
      .default('active'),
    position: real('position').notNull().default(0),
    createdAt: created(),
    updatedAt: updated(),
    lastActivityAt: ts('last_activity_at'),
    closedAt: ts('closed_at'),
    exitCode: integer('exit_code'),
    // The agent's own id for its conversation (from its hooks), to resume it by.
    agentSessionId: text('agent_session_id'),
    // SHA-256 of the session's hook credential (RDV_HOOK_TOKEN): it may post this session's agent events, nothing else.
    hookTokenHash: text('hook_token_hash'),
    // When its tmux session vanished without its shell exiting (a reboot, a lost tmux
    // server) and it was not brought back; null once it is back or closed by its user.
    lostAt: ts('lost_at'),
    // When rdv last brought it back after such a loss.
    restoredAt: ts('restored_at'),
    // The git identity it works as (core/identity): its worktree's author and its ssh-agent's key.
    identityId: text('identity_id'),
  },
  (t) => [
    index('sessions_user_status_idx').on(t.userId, t.status),
    uniqueIndex('sessions_tmux_name_idx').on(t.tmuxName),
  ],
);

export const orchestrators = sqliteTable(
  'orchestrators',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['master', 'folder'] }).notNull(),
    folderId: text('folder_id'),
    intervalSeconds: integer('interval_seconds').notNull().default(30),
    stallThresholdSeconds: integer('stall_threshold_seconds').notNull().default(300),
    autoIntervention: integer('auto_intervention', { mode: 'boolean' }).notNull().default(false),
    nudgeText: text('nudge_text'),
    monitoring: integer('monitoring', { mode: 'boolean' }).notNull().default(false),
    createdAt: created(),
    updatedAt: updated(),
    // Deleted orchestrators stay as tombstones so a repeated DELETE still finds its own.
    deletedAt: ts('deleted_at'),
  },
  (t) => [
    index('orchestrators_user_idx').on(t.userId),
    // One live Master Control per user and one live orchestrator per folder.
    uniqueIndex('orchestrators_master_idx').on(t.userId).where(sql`kind = 'master' AND deleted_at IS NULL`),
    uniqueIndex('orchestrators_folder_idx').on(t.userId, t.folderId).where(sql`kind = 'folder' AND deleted_at IS NULL`),
  ],
);

export const insights = sqliteTable(
  'insights',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    orchestratorId: text('orchestrator_id'),
    sessionId: text('session_id').notNull(),
    type: text('type').notNull(),
    severity: text('severity').notNull(),
    message: text('message').notNull(),
    context: text('context', { mode: 'json' }).$type<Record<string, unknown>>(),
    confidence: real('confidence').notNull().default(1),
    suggestedActions: text('suggested_actions', { mode: 'json' }).$type<unknown[]>(),
    resolved: integer('resolved', { mode: 'boolean' }).notNull().default(false),
    resolvedAt: ts('resolved_at'),
    resolvedBy: text('resolved_by'),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    index('insights_session_idx').on(t.sessionId, t.type, t.resolved),
    // At most one open insight per session and type.
    uniqueIndex('insights_open_idx').on(t.sessionId, t.type).where(sql`resolved = 0`),
    index('insights_user_idx').on(t.userId, t.resolved, t.createdAt),
  ],
);

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: ts('at').notNull(),
    userId: text('user_id'),
    tokenId: text('token_id'),
    authMethod: text('auth_method'),
    action: text('action').notNull(),
    target: text('target'),
    outcome: text('outcome', { enum: ['ok', 'denied', 'error'] }).notNull(),
    detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  (t) => [index('audit_user_at_idx').on(t.userId, t.at), index('audit_at_idx').on(t.at)],
);

export const preferences = sqliteTable('preferences', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  defaultCwd: text('default_cwd'),
  defaultAgent: text('default_agent'),
  env: text('env', { mode: 'json' }).$type<Record<string, string>>(),
  theme: text('theme').notNull().default('system'),
  data: text('data', { mode: 'json' }).$type<Record<string, unknown>>(),
  updatedAt: updated(),
});

export const trash = sqliteTable(
  'trash',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    sessionId: text('session_id'),
    worktreeId: text('worktree_id'),
    path: text('path'),
    trashedAt: ts('trashed_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    restoredAt: ts('restored_at'),
  },
  (t) => [index('trash_user_idx').on(t.userId)],
);

export const events = sqliteTable(
  'events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: text('user_id').notNull(),
    type: text('type').notNull(),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    at: ts('at').notNull(),
  },
  (t) => [index('events_user_id_idx').on(t.userId, t.id)],
);

export const kv = sqliteTable('kv', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: updated(),
});

export const loginLinks = sqliteTable('login_links', {
  id: text('id').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  hash: text('hash').notNull().unique(),
  createdAt: created(),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
});

export const pushSubscriptions = sqliteTable(
  'push_subscriptions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    deviceLabel: text('device_label').notNull(),
    endpoint: text('endpoint').notNull(),
    p256dh: text('p256dh').notNull(),
    auth: text('auth').notNull(),
    createdAt: created(),
    lastSuccessAt: ts('last_success_at'),
    lastFailureAt: ts('last_failure_at'),
  },
  (t) => [uniqueIndex('push_subscriptions_endpoint_idx').on(t.endpoint), index('push_subscriptions_user_idx').on(t.userId)],
);

export const notifications = sqliteTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    severity: text('severity').notNull(),
    sessionId: text('session_id'),
    sessionName: text('session_name'),
    insightId: text('insight_id'),
    title: text('title').notNull(),
    body: text('body').notNull(),
    url: text('url').notNull(),
    count: integer('count').notNull().default(1),
    read: integer('read', { mode: 'boolean' }).notNull().default(false),
    createdAt: created(),
  },
  (t) => [index('notifications_user_idx').on(t.userId, t.read, t.createdAt)],
);

// Answers carried by notifications: single use, short-lived, bound to one insight and one
// action. Only a digest of the secret is kept.
export const actionTokens = sqliteTable(
  'action_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    insightId: text('insight_id').notNull(),
    action: text('action').notNull(),
    hash: text('hash').notNull(),
    createdAt: created(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
    // Set when the insight is settled some other way, so a late tap is told why.
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('action_tokens_insight_idx').on(t.insightId), index('action_tokens_expires_idx').on(t.expiresAt)],
);

// A browser signed in with a login link (local mode). The cookie holds a secret; only its
// digest is here. Ends on sign-out or revocation, after idle time, and at expires_at.
export const loginSessions = sqliteTable(
  'login_sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    hash: text('hash').notNull(),
    userAgent: text('user_agent'),
    createdAt: created(),
    lastSeenAt: ts('last_seen_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('login_sessions_hash_idx').on(t.hash), index('login_sessions_user_idx').on(t.userId)],
);
/**
 * Search over sessions' output (core/output). Each chunk is a run of whole lines of one
 * session's log, [start, end) in absolute byte offsets; its text is indexed in the
 * `output_fts` FTS5 table (a hand-written migration: contentless, so the text itself is
 * not stored twice) under the chunk's id, and removed from it by a trigger with the chunk.
 */
export const outputChunks = sqliteTable(
  'output_chunks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    startOffset: integer('start_offset').notNull(),
    endOffset: integer('end_offset').notNull(),
    writtenAt: ts('written_at').notNull(),
  },
  (t) => [index('output_chunks_session_idx').on(t.sessionId, t.startOffset), index('output_chunks_written_idx').on(t.writtenAt)],
);

/** How far each session's log is indexed (an absolute byte offset). */
export const outputIndexState = sqliteTable('output_index_state', {
  sessionId: text('session_id')
    .primaryKey()
    .references(() => sessions.id, { onDelete: 'cascade' }),
  indexedOffset: integer('indexed_offset').notNull().default(0),
  updatedAt: updated(),
});

export { knowledgeEntries, sessionNotes, folderHooks, hookRuns } from './schema-knowledge.js';
export { hosts } from './schema-hosts.js';
export { knowledgeProposals, learningCursors } from './schema-learnings.js';
export { identities, identityDefaults, repositories } from './schema-identity.js';
