#!/usr/bin/env node
// `npm start`: install what is missing, build, migrate, then run every service in the
// foreground (restarting any that dies) until Ctrl-C. Each preparing step is skipped when
// its stamp shows nothing changed since it last ran (see ensure.mjs), so a second start
// goes straight to the services.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ROOT, build, ensureInstalled, run, step, toolEnv } from './ensure.mjs';

const MIGRATE_STAMP = join(ROOT, 'node_modules', '.rdv-migrate-stamp');
/**
 * The migrations shipped and the state directory they were applied to. The api migrates
 * its database at every start anyway; this step is there to report a failure early, and
 * need not run again for the same migrations and home.
 */
function migrateFingerprint() {
  const journal = join(ROOT, 'packages/core/drizzle/meta/_journal.json');
  const h = createHash('sha256').update(existsSync(journal) ? readFileSync(journal) : '');
  h.update(`\0${process.env.RDV_HOME ?? join(homedir(), '.remote-dev')}\0${process.env.RDV_DB_PATH ?? ''}`);
  return h.digest('hex');
}

try {
  ensureInstalled();
  build();
  const want = migrateFingerprint();
  if (existsSync(MIGRATE_STAMP) && readFileSync(MIGRATE_STAMP, 'utf8').trim() === want) {
    step('database is up to date');
  } else {
    step('migrating the database');
    run(process.execPath, [join(ROOT, 'services/api/dist/migrate.js')]);
    writeFileSync(MIGRATE_STAMP, `${want}\n`);
  }
} catch (err) {
  process.stderr.write(`\nrdv could not start: ${err.message}\n`);
  process.exit(err.exitCode || 1);
}

step('starting services');
const child = spawn(process.execPath, [join(ROOT, 'packages/cli/dist/main.js'), 'up', '--foreground'], {
  cwd: ROOT,
  stdio: 'inherit',
  env: toolEnv(),
});
// Ctrl-C reaches the supervisor through the terminal's process group; forward SIGTERM too.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
