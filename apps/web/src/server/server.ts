// The web edge's entry point (dist/server.js): config → logger → startWeb → signals.
// Flags: --home <dir>, --set section.key=value (see config/config.toml).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

async function main(): Promise<void> {
  // Before Next.js and React load: they pick their production builds from NODE_ENV.
  const { parentEnv } = await import('@rdv/core/config');
  Object.assign(parentEnv(), { NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' });
  const [{ runService }, { startWeb }] = await Promise.all([import('@rdv/core/lifecycle'), import('./start.js')]);
  await runService('web', (config, log, shutdown) =>
    startWeb(config, log, shutdown, {
      appDir: dirname(dirname(fileURLToPath(import.meta.url))),
      print: (line) => process.stdout.write(`${line}\n`),
    }),
  );
}

void main();
