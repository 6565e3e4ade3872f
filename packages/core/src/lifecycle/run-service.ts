import { loadConfig, parseConfigFlags, type RdvConfig } from '../config/index.js';
import { isAppError } from '../errors/index.js';
import { createLogger, type Logger } from '../log/index.js';
import { createShutdown, type ShutdownController } from './shutdown.js';

/**
 * A service's composition root: umask 077 (everything it creates is private to its
 * user), config with the `--home`/`--set` flags (a bad value exits 2 with a message
 * naming it), a logger to `<name>.log`, shutdown on SIGINT/SIGTERM, then `start`. A
 * start that fails is logged, printed, shut down and exits 1.
 */
export async function runService(
  name: string,
  start: (config: RdvConfig, log: Logger, shutdown: ShutdownController) => Promise<unknown>,
): Promise<void> {
  process.umask(0o077);
  let config: RdvConfig;
  try {
    config = loadConfig(parseConfigFlags(process.argv.slice(2)));
  } catch (err) {
    process.stderr.write(`rdv ${name}: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const log = createLogger({ level: config.log.level, name, file: config.paths.logFile(name) });
  const shutdown = createShutdown(log, config.shutdown.deadline_ms);
  shutdown.handleSignals();
  try {
    await start(config, log, shutdown);
  } catch (err) {
    const message = isAppError(err) ? err.message : String((err as Error)?.stack ?? err);
    log.fatal({ err }, `${name} failed to start`);
    process.stderr.write(`rdv ${name}: ${message}\n`);
    await shutdown.shutdown('startup failed');
    process.exit(1);
  }
}
