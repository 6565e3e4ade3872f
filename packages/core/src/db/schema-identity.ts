import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './schema.js';

const ts = (name: string) => integer(name, { mode: 'timestamp_ms' });
const created = () => ts('created_at').notNull().default(sql`(unixepoch() * 1000)`);
const updated = () => ts('updated_at').notNull().default(sql`(unixepoch() * 1000)`);

/**
 * Git identities (core/identity): who commits and which SSH key reaches remotes. The
 * private key is kept only sealed (core/auth secret box, bound to `identity:<id>`).
 */
export const identities = sqliteTable(
  'identities',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    email: text('email').notNull(),
    publicKey: text('public_key').notNull(),
    sealedPrivateKey: text('sealed_private_key').notNull(),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [index('identities_user_idx').on(t.userId)],
);

/** The default identity of a user (`folder_id` '') or of a folder, inherited down the folder tree. */
export const identityDefaults = sqliteTable(
  'identity_defaults',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    folderId: text('folder_id').notNull().default(''),
    identityId: text('identity_id')
      .notNull()
      .references(() => identities.id, { onDelete: 'cascade' }),
    updatedAt: updated(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.folderId] })],
);

/** Bare mirrors of remote repositories under RDV_HOME/repos (core/identity). */
export const repositories = sqliteTable(
  'repositories',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    path: text('path').notNull(),
    identityId: text('identity_id').references(() => identities.id, { onDelete: 'set null' }),
    status: text('status', { enum: ['cloning', 'ready', 'failed'] }).notNull(),
    error: text('error'),
    defaultBranch: text('default_branch'),
    hostKey: text('host_key'),
    lastFetchedAt: ts('last_fetched_at'),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [index('repositories_user_idx').on(t.userId), uniqueIndex('repositories_path_idx').on(t.path)],
);
