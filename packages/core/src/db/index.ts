import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';

export { schema };
export type Db = BetterSQLite3Database<typeof schema>;

export interface DbHandle {
  db: Db;
  sqlite: Database.Database;
  path: string;
  /** True when a trivial query succeeds. */
  ping(): boolean;
  dispose(): void;
}

/** The migrations folder kept in the repo (packages/core/drizzle), from src or dist alike. */
export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'drizzle');

export interface OpenDbOptions {
  path: string;
  busyTimeoutMs?: number;
  /** Apply pending migrations (the api does; the terminal service only reads). */
  migrate?: boolean;
  readonly?: boolean;
}

/**
 * Creates the database file 0600 before SQLite does, and tightens it and its -wal/-shm if
 * found looser: SQLite gives -wal and -shm the database file's mode, so all three stay
 * private whatever the umask of the process that opens them first.
 */
function makePrivate(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  for (const f of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}

/** Opens SQLite in WAL mode with a busy timeout and foreign keys on. The caller disposes. */
export function openDb(options: OpenDbOptions): DbHandle {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
  if (options.path !== ':memory:' && !options.readonly) makePrivate(options.path);
  const sqlite = new Database(options.path, { readonly: options.readonly ?? false });
  sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  if (!options.readonly) {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
  }
  sqlite.pragma('foreign_keys = ON');
  const db = drizzle(sqlite, { schema });
  if (options.migrate) migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  let disposed = false;
  return {
    db,
    sqlite,
    path: options.path,
    ping() {
      try {
        return sqlite.prepare('select 1 as ok').get() !== undefined;
      } catch {
        // A failing ping is the answer, not an error to raise.
        return false;
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      sqlite.close();
    },
  };
}

/** Applies pending migrations to the database at `path` and closes it. */
export function migrateDb(path: string): void {
  const handle = openDb({ path, migrate: true });
  handle.dispose();
}

export const now = (): Date => new Date();
export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/**
 * A value that changes whenever the database may have: rows this connection changed
 * (`total_changes()`) and commits by other connections (`PRAGMA data_version`). Equal
 * values mean nothing was written in between, so whatever was read then is still true;
 * for caches of answers built from many rows.
 */
export function writeVersion(handle: Pick<DbHandle, 'sqlite'>): () => string {
  const changes = handle.sqlite.prepare('SELECT total_changes()').pluck();
  const dataVersion = handle.sqlite.prepare('PRAGMA data_version').pluck();
  return () => `${changes.get() as number}.${dataVersion.get() as number}`;
}
