import { sql } from 'drizzle-orm';
import { integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './schema.js';

// Other machines running rdv, joined over OpenSSH (core/hosts). The host's CLI token is
// kept sealed (secret box, bound to `host:<id>`); nothing here opens without server/secret.key.

const ts = (name: string) => integer(name, { mode: 'timestamp_ms' });

export const hosts = sqliteTable(
  'hosts',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** `user@host` or `host`, checked (no leading "-") before it reaches ssh's argv. */
    destination: text('destination').notNull(),
    port: integer('port'),
    identityFile: text('identity_file'),
    knownHostsFile: text('known_hosts_file'),
    /** The host's RDV_HOME; null: `~/.remote-dev` of the ssh user, asked of the host. */
    remoteHome: text('remote_home'),
    tokenSealed: text('token_sealed').notNull(),
    /** The last state seen (connected, unreachable, …), kept so a restart starts from it. */
    lastState: text('last_state').notNull().default('connecting'),
    lastError: text('last_error'),
    version: text('version'),
    lastConnectedAt: ts('last_connected_at'),
    createdAt: ts('created_at').notNull().default(sql`(unixepoch() * 1000)`),
  },
  (t) => [uniqueIndex('hosts_user_name_idx').on(t.userId, t.name)],
);
