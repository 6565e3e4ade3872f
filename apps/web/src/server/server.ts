// The web edge's entry point (dist/server.js): config → logger → startWeb → signals.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

async function main(): Promise<void> {
  // Before Next.js and React load: they pick their production builds from NODE_ENV.
  const env = process.env as Record<string, string | undefined>;
  env.NODE_ENV = 'production';
  env.NEXT_TELEMETRY_DISABLED = '1';
  process.umask(0o077);
  const [{ loadConfig }, { isAppError }, { createShutdown }, { createLogger }, { startWeb }] = await Promise.all([
    import('@rdv/core/config'),
    import('@rdv/core/errors'),
    import('@rdv/core/lifecycle'),
    import('@rdv/core/log'),
    import('./start.js'),
  ]);
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`rdv web: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const log = createLogger({ level: config.log.level, name: 'web', file: config.paths.logFile('web') });
  const shutdown = createShutdown(log, config.shutdown.deadline_ms);
  shutdown.handleSignals();
  try {
    await startWeb(config, log, shutdown, {
      appDir: dirname(dirname(fileURLToPath(import.meta.url))),
      print: (line) => process.stdout.write(`${line}\n`),
    });
  } catch (err) {
    const message = isAppError(err) ? err.message : String((err as Error)?.stack ?? err);
    log.fatal({ err }, 'web failed to start');
    process.stderr.write(`rdv web: ${message}\n`);
    await shutdown.shutdown('startup failed');
    process.exit(1);
  }
}

void main();
