import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { folders, sessions, users } from './schema.js';

// Learnings proposed from sessions' logs (core/knowledge/learn): nothing here is folder
// knowledge until a person accepts it.

const ts = (name: string) => integer(name, { mode: 'timestamp_ms' });

/** A proposed knowledge entry: what rdv (or an agent) thinks is worth keeping, waiting for a person's yes. */
export const knowledgeProposals = sqliteTable(
  'knowledge_proposals',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    folderId: text('folder_id')
      .notNull()
      .references(() => folders.id, { onDelete: 'cascade' }),
    /** The session it came from; kept as text so a deleted session leaves its proposals readable. */
    sessionId: text('session_id'),
    sessionName: text('session_name'),
    /** error_fix (an error, then the command that worked), unblock (what a person typed), direct (proposed as it is, through the API or MCP). */
    kind: text('kind', { enum: ['error_fix', 'unblock', 'direct'] }).notNull(),
    title: text('title').notNull(),
    body: text('body').notNull().default(''),
    /** The lines of the log (or the input) it was drawn from. */
    evidence: text('evidence').notNull().default(''),
    /** sha256 of title and body: the same proposal is never made twice in a folder, dismissed or not. */
    hash: text('hash').notNull(),
    status: text('status', { enum: ['proposed', 'accepted', 'dismissed'] }).notNull().default('proposed'),
    /** The knowledge entry an accepted proposal became. */
    entryId: text('entry_id'),
    decidedBy: text('decided_by'),
    decidedAt: ts('decided_at'),
    createdAt: ts('created_at').notNull().default(sql`(unixepoch() * 1000)`),
  },
  (t) => [
    uniqueIndex('knowledge_proposals_folder_hash_idx').on(t.folderId, t.hash),
    index('knowledge_proposals_user_status_idx').on(t.userId, t.status),
    index('knowledge_proposals_session_idx').on(t.sessionId),
  ],
);

/** How far each session's log has been read for proposals, and what a person typed to it since. */
export const learningCursors = sqliteTable('learning_cursors', {
  sessionId: text('session_id')
    .primaryKey()
    .references(() => sessions.id, { onDelete: 'cascade' }),
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** Absolute offset in the session's output log (offsets survive rotation). */
  offset: integer('offset').notNull().default(0),
  /** Inputs a person gave while the agent waited, not yet turned into proposals. */
  inputs: text('inputs', { mode: 'json' }).notNull().$type<Array<{ text: string; source: string; waitedFor: string; at: string }>>().default(sql`'[]'`),
  updatedAt: ts('updated_at').notNull().default(sql`(unixepoch() * 1000)`),
});
