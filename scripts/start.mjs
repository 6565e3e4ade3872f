#!/usr/bin/env node
// `npm start`: install what is missing, build, migrate, then run every service in the
// foreground (restarting any that dies) until Ctrl-C.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, build, ensureInstalled, run, step, toolEnv } from './ensure.mjs';

try {
  ensureInstalled();
  build();
  step('migrating the database');
  run(process.execPath, [join(ROOT, 'services/api/dist/migrate.js')]);
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
