import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { openServiceTokenStore } from '@rdv/core/auth';
import type { RdvConfig } from '@rdv/core/config';
import { openDb } from '@rdv/core/db';
import { acquirePidFile, disposer, ensurePrivateDir, listenUnix, type ShutdownController } from '@rdv/core/lifecycle';
import type { Logger } from '@rdv/core/log';
import { getSession } from '@rdv/core/session';
import { openConfiguredTmux } from '@rdv/core/tmux';
import { createTerminalServer, limitsFrom, type TerminalLimits, type TerminalServer } from './app.js';
import { createTerminalMetrics } from './metrics.js';
import { createSessionEndNotifier } from './notify-api.js';

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface RunningTerminal {
  server: Server;
  terminal: TerminalServer;
  socketPath: string;
}

/**
 * Starts the terminal service on RDV_HOME/run/terminal.sock: pid file (stale files of a
 * crashed instance cleaned), database (read, no migrations), service token store, tmux,
 * listen (0600). Every resource is registered on `shutdown`, which closes websockets
 * with 1001 and leaves every tmux session running.
 */
export async function startTerminal(
  config: RdvConfig,
  log: Logger,
  shutdown: ShutdownController,
  /** Overrides the `[terminal]` section (tests). */
  limits?: Partial<TerminalLimits>,
): Promise<RunningTerminal> {
  const { paths } = config;
  ensurePrivateDir(paths.home);
  ensurePrivateDir(paths.runDir);
  ensurePrivateDir(paths.serverDir);

  const pid = acquirePidFile(paths.pidFile('terminal'), [paths.terminalSocket], log, 'terminal');
  shutdown.add('pid file', () => pid.release());

  const db = openDb({ path: paths.db, busyTimeoutMs: config.database.busy_timeout_ms });
  shutdown.add('database', () => db.dispose());

  const serviceToken = openServiceTokenStore(paths.serviceToken, {
    create: false,
    graceMs: config.auth.service_token_grace_seconds * 1000,
  });

  const tmux = await openConfiguredTmux(config, log, 'attaches will fail');

  const metrics = createTerminalMetrics();
  shutdown.add('metrics', () => metrics.service.dispose());
  const terminal = createTerminalServer({
    metrics,
    db,
    tmux,
    // A session by id, scoped to its user: all the terminal service needs of sessions.
    sessions: { get: (userId, id) => getSession(db.db, userId, id) },
    serviceToken,
    log,
    version: VERSION,
    startedAt: Date.now(),
    exitStatusDir: paths.exitStatusDir,
    rateLimits: {
      requestsPerMinute: config.rate_limit.requests_per_minute,
      authFailuresPerMinute: config.rate_limit.auth_failures_per_minute,
    },
    limits: { ...limitsFrom(config.terminal), ...limits },
    onSessionEnded: createSessionEndNotifier({ apiSocket: paths.apiSocket, serviceToken, log }),
  });
  const { server } = terminal;
  const removeSocket = await listenUnix(server, paths.terminalSocket);
  shutdown.add('socket file', removeSocket);
  // Stop accepting, then close every websocket with 1001; tmux sessions keep running.
  const drain = disposer(server, {
    deadlineMs: Math.max(100, config.shutdown.deadline_ms - 1000),
    closeStreams: (code, reason, deadlineMs) => terminal.closeAll(code, reason, deadlineMs),
    reason: 'service shutting down',
  });
  shutdown.add('websockets', () => drain.dispose());

  log.info({ socket: paths.terminalSocket }, 'terminal listening');
  return { server, terminal, socketPath: paths.terminalSocket };
}
