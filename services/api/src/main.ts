// The api's composition root: config → logger → startApi → signals.
// Flags: --home <dir>, --set section.key=value (see config/config.toml).
import { loadConfig, parseConfigFlags } from '@rdv/core/config';
import { isAppError } from '@rdv/core/errors';
import { createShutdown } from '@rdv/core/lifecycle';
import { createLogger } from '@rdv/core/log';
import { startApi } from './server.js';

async function main(): Promise<void> {
  // Everything this service creates (database, logs, sockets, tokens) is private to its user.
  process.umask(0o077);
  let config;
  try {
    config = loadConfig(parseConfigFlags(process.argv.slice(2)));
  } catch (err) {
    process.stderr.write(`rdv api: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const log = createLogger({ level: config.log.level, name: 'api', file: config.paths.logFile('api') });
  const shutdown = createShutdown(log, config.shutdown.deadline_ms);
  shutdown.handleSignals();
  try {
    await startApi(config, log, shutdown);
  } catch (err) {
    const message = isAppError(err) ? err.message : String((err as Error)?.stack ?? err);
    log.fatal({ err }, 'api failed to start');
    process.stderr.write(`rdv api: ${message}\n`);
    await shutdown.shutdown('startup failed');
    process.exit(1);
  }
}

void main();
