// The database is private from the first run: its file, -wal and -shm are 0600 whatever
// the umask of the process that creates them (the migration step runs before any service).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../testing/index.js';
import { migrateDb, openDb } from './index.js';

const mode = (p: string) => statSync(p).mode & 0o777;

describe('database files', () => {
  it('are created 0600 (with -wal and -shm) under a permissive umask, and tightened when found loose', () => {
    const old = process.umask(0o022);
    try {
      const path = join(useTempDir(), 'sqlite.db');
      migrateDb(path);
      expect(mode(path)).toBe(0o600);
      const h = openDb({ path });
      h.sqlite.prepare("insert into kv (key, value) values ('k', 'v')").run();
      for (const f of [path, `${path}-wal`, `${path}-shm`]) {
        expect(existsSync(f), f).toBe(true);
        expect(mode(f), f).toBe(0o600);
      }
      h.dispose();
      chmodSync(path, 0o644);
      openDb({ path }).dispose();
      expect(mode(path)).toBe(0o600);
    } finally {
      process.umask(old);
    }
  });

  it('are 0600 when `npm run migrate` (the migrate script of the api) creates them from a shell with umask 022', () => {
    const home = useTempDir();
    const script = fileURLToPath(new URL('../../../../services/api/dist/migrate.js', import.meta.url));
    writeFileSync(join(home, 'config.toml'), '');
    execFileSync('sh', ['-c', 'umask 022 && exec "$0" "$1" --home "$2"', process.execPath, script, home], { env: { PATH: process.env.PATH ?? '' } });
    expect(mode(join(home, 'sqlite.db'))).toBe(0o600);
    expect(mode(home)).toBe(0o700);
  });
});
