import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { createSocketClient } from '@rdv/client/node';
import { createRateLimiter, openServiceTokenStore } from '@rdv/core/auth';
import type { RdvConfig } from '@rdv/core/config';
import { AppError } from '@rdv/core/errors';
import { acquirePidFile, disposer, ensurePrivateDir, listenUnix, writeListenFile, type ShutdownController } from '@rdv/core/lifecycle';
import type { Logger } from '@rdv/core/log';
import nextModule from 'next';
import { createCloudflareAuthenticator, createLocalAuthenticator, type Authenticator } from './authenticator.js';
import { createAccessVerifier } from './cloudflare.js';
import { createRequestHandler, createUpgradeHandler } from './handler.js';
import { checkEdgeConfig } from './edge-config.js';
import { publicOrigin, type ListenTarget } from './listen.js';
import { announceLoginLink } from './login.js';
import { createCookieSigner, openWebSecret } from './session-cookie.js';
import { createTerminalBridge } from './terminal-proxy.js';

// next is CommonJS (module.exports = createServer) while its types declare a default export.
const next = ((nextModule as unknown as { default?: unknown }).default ?? nextModule) as typeof nextModule.default;

export interface StartWebOptions {
  /** The Next.js project directory (apps/web). */
  appDir: string;
  /** Where the login link goes (stdout, not the log file: it is a credential). */
  print: (line: string) => void;
}

export interface RunningWeb {
  server: Server;
  mode: Authenticator['mode'];
  target: ListenTarget;
  /** "http://127.0.0.1:6001" for TCP; null for a unix socket. */
  origin: string | null;
}

async function listenOn(server: Server, target: ListenTarget): Promise<() => void> {
  if (target.kind === 'unix') return listenUnix(server, target.path);
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(target.port, target.host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  return () => {};
}

/**
 * Starts the web edge: config check, pid file, secrets, Next.js, the HTTP server with the
 * proxy and the websocket bridge, then (local mode) prints a login link for the owner.
 * Every resource is registered on `shutdown`, released in reverse order.
 */
export async function startWeb(config: RdvConfig, log: Logger, shutdown: ShutdownController, options: StartWebOptions): Promise<RunningWeb> {
  const { paths } = config;
  const { target, cloudflare } = checkEdgeConfig(config);
  ensurePrivateDir(paths.home);
  ensurePrivateDir(paths.runDir);
  ensurePrivateDir(paths.serverDir);
  const pid = acquirePidFile(paths.pidFile('web'), target.kind === 'unix' ? [target.path] : [], log, 'web');
  shutdown.add('pid file', () => pid.release());

  const serviceToken = openServiceTokenStore(paths.serviceToken, { create: false, graceMs: config.auth.service_token_grace_seconds * 1000 });
  // The edge's own calls (users, login links) carry the service token, read per call so a rotation is picked up.
  const api = createSocketClient({ socketPath: paths.apiSocket, headers: () => ({ 'x-rdv-service-token': serviceToken.current() }), timeoutMs: 10_000 });
  const signer = createCookieSigner(openWebSecret(join(paths.serverDir, 'web-secret')));
  const authenticator = cloudflare
    ? createCloudflareAuthenticator(
        createAccessVerifier({
          teamDomain: config.cloudflare.team_domain,
          aud: config.cloudflare.aud,
          certsUrl: config.cloudflare.certs_url,
          allowedEmails: config.cloudflare.allowed_emails,
        }),
        api,
      )
    : createLocalAuthenticator(signer);

  if (!existsSync(join(options.appDir, '.next', 'BUILD_ID'))) {
    throw new AppError('unavailable', `the web UI is not built (no ${join(options.appDir, '.next')}); run "npm run build"`);
  }
  const nextApp = next({ dev: false, dir: options.appDir, quiet: true });
  await nextApp.prepare();
  shutdown.add('next', () => nextApp.close());
  const nextHandle = nextApp.getRequestHandler();

  const bridge = createTerminalBridge({ socketPath: paths.terminalSocket, log: log.child({ component: 'terminal-proxy' }) });
  shutdown.add('terminal bridge', () => bridge.dispose());
  const deps = {
    authenticator,
    serviceToken,
    bridge,
    apiSocket: paths.apiSocket,
    terminalSocket: paths.terminalSocket,
    login: { api, signer, secureCookie: cloudflare, log: log.child({ component: 'login' }) },
    next: (req: Parameters<typeof nextHandle>[0], res: Parameters<typeof nextHandle>[1]) => nextHandle(req, res),
    failures: createRateLimiter({ perMinute: config.rate_limit.auth_failures_per_minute }),
    log,
  };
  const onRequest = createRequestHandler(deps);
  // Requests to drain at shutdown; event streams never end by themselves, so they are not counted.
  let inFlight = 0;
  const server = createServer((req, res) => {
    if (!(req.url ?? '').startsWith('/api/events')) {
      inFlight++;
      res.once('close', () => inFlight--);
    }
    onRequest(req, res).catch((err: unknown) => {
      log.error({ err, method: req.method, path: (req.url ?? '').split('?')[0] }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  const onUpgrade = createUpgradeHandler(deps);
  server.on('upgrade', (req, socket, head) => {
    onUpgrade(req, socket, head).catch((err: unknown) => {
      log.error({ err }, 'upgrade failed');
      socket.destroy();
    });
  });

  const removeSocket = await listenOn(server, target);
  shutdown.add('socket file', removeSocket);
  const drain = disposer(server, {
    deadlineMs: Math.max(100, config.shutdown.deadline_ms - 1000),
    pending: () => inFlight,
    closeStreams: (code, reason) => bridge.closeAll(code, reason),
    reason: 'rdv web is shutting down',
  });
  shutdown.add('http server', () => drain.dispose());

  const address = server.address();
  const actualPort = address && typeof address === 'object' ? address.port : undefined;
  const origin = publicOrigin(target, actualPort);
  // Where this edge really listens (the config the CLI reads may say otherwise: RDV_WEB_LISTEN, --set, port 0).
  shutdown.add('listen file', writeListenFile(paths.webListenFile, target.kind === 'unix' ? { socket: target.path } : { url: origin! }));
  log.info({ listen: target.kind === 'unix' ? target.path : `${target.host}:${actualPort}`, mode: authenticator.mode }, 'web edge listening');
  if (target.kind === 'unix' && !cloudflare) {
    log.warn('listening on a unix socket without Cloudflare Access: if cloudflared forwards to it, configure cloudflare.team_domain and cloudflare.aud');
  }
  if (!cloudflare) {
    void announceLoginLink({ api, origin, print: options.print, log, isStopped: () => shutdown.stopping });
  }
  return { server, mode: authenticator.mode, target, origin };
}
