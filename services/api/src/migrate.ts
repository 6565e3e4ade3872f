// `npm run migrate`: applies pending migrations to the configured database and exits.
import { loadConfig, parseConfigFlags } from '@rdv/core/config';
import { migrateDb } from '@rdv/core/db';
import { ensurePrivateDir } from '@rdv/core/lifecycle';

// Before anything is created: whatever this step writes is private to the user, as the services' files are.
process.umask(0o077);
try {
  const config = loadConfig(parseConfigFlags(process.argv.slice(2)));
  ensurePrivateDir(config.paths.home);
  migrateDb(config.paths.db);
  process.stdout.write(`database ready: ${config.paths.db}\n`);
} catch (err) {
  process.stderr.write(`rdv migrate: ${(err as Error).message}\n`);
  process.exit(1);
}
