import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { folders, sessions, users } from './schema.js';

// Folder knowledge, notes on sessions and folder hooks (core/knowledge). The full-text
// index over knowledge entries, `knowledge_fts`, is an FTS5 table kept in step by
// triggers: see the hand-written part of this migration.

const ts = (name: string) => integer(name, { mode: 'timestamp_ms' });
const created = () => ts('created_at').notNull().default(sql`(unixepoch() * 1000)`);
const updated = () => ts('updated_at').notNull().default(sql`(unixepoch() * 1000)`);

/** An entry of a folder's knowledge: markdown written by a person or one of their sessions. */
export const knowledgeEntries = sqliteTable(
  'knowledge_entries',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    folderId: text('folder_id')
      .notNull()
      .references(() => folders.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    body: text('body').notNull().default(''),
    /** Space-separated lower-case tags (so FTS5 indexes them as words too). */
    tags: text('tags').notNull().default(''),
    authorKind: text('author_kind', { enum: ['user', 'session'] }).notNull(),
    authorName: text('author_name').notNull(),
    authorSessionId: text('author_session_id'),
    /** An entry accepted from a proposal: that proposal and the session it came from. */
    sourceProposalId: text('source_proposal_id'),
    sourceSessionId: text('source_session_id'),
    sourceSessionName: text('source_session_name'),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [index('knowledge_folder_idx').on(t.folderId), index('knowledge_user_idx').on(t.userId)],
);

/** A note on a session itself (what an agent captured while it worked). */
export const sessionNotes = sqliteTable(
  'session_notes',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    createdAt: created(),
  },
  (t) => [index('session_notes_session_idx').on(t.sessionId)],
);

/** A command run on a folder's session events (argv, never a shell string). */
export const folderHooks = sqliteTable(
  'folder_hooks',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    folderId: text('folder_id')
      .notNull()
      .references(() => folders.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    events: text('events', { mode: 'json' }).notNull().$type<string[]>(),
    argv: text('argv', { mode: 'json' }).notNull().$type<string[]>(),
    timeoutMs: integer('timeout_ms').notNull().default(30_000),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [index('folder_hooks_folder_idx').on(t.folderId)],
);

/** One run of a hook: what it was given and what it said. */
export const hookRuns = sqliteTable(
  'hook_runs',
  {
    id: text('id').primaryKey(),
    hookId: text('hook_id')
      .notNull()
      .references(() => folderHooks.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    sessionId: text('session_id'),
    event: text('event').notNull(),
    exitCode: integer('exit_code'),
    signal: text('signal'),
    timedOut: integer('timed_out', { mode: 'boolean' }).notNull().default(false),
    /** Why it could not start (no such program), when it could not. */
    error: text('error'),
    stdout: text('stdout').notNull().default(''),
    stderr: text('stderr').notNull().default(''),
    startedAt: ts('started_at').notNull(),
    durationMs: integer('duration_ms').notNull().default(0),
  },
  (t) => [index('hook_runs_hook_idx').on(t.hookId, t.startedAt)],
);
