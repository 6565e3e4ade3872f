// The terminal service's composition root: config → logger → startTerminal → signals.
import { loadConfig } from '@rdv/core/config';
import { isAppError } from '@rdv/core/errors';
import { createShutdown } from '@rdv/core/lifecycle';
import { createLogger } from '@rdv/core/log';
import { startTerminal } from './server.js';

async function main(): Promise<void> {
  // Everything this service creates (logs, socket, pid file) is private to its user.
  process.umask(0o077);
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`rdv terminal: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const log = createLogger({ level: config.log.level, name: 'terminal', file: config.paths.logFile('terminal') });
  const shutdown = createShutdown(log, config.shutdown.deadline_ms);
  shutdown.handleSignals();
  try {
    await startTerminal(config, log, shutdown);
  } catch (err) {
    const message = isAppError(err) ? err.message : String((err as Error)?.stack ?? err);
    log.fatal({ err }, 'terminal failed to start');
    process.stderr.write(`rdv terminal: ${message}\n`);
    await shutdown.shutdown('startup failed');
    process.exit(1);
  }
}

void main();
