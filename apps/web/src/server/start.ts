import { existsSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { createSocketClient } from '@rdv/client/node';
import { EDGE_CREDENTIAL_HEADER, createRateLimiter, edgeCredential, openServiceTokenStore } from '@rdv/core/auth';
import type { RdvConfig } from '@rdv/core/config';
import { AppError } from '@rdv/core/errors';
import { acquirePidFile, answerClientErrors, disposer, ensurePrivateDir, listenUnix, writeListenFile, type ShutdownController } from '@rdv/core/lifecycle';
import type { Logger } from '@rdv/core/log';
import type NextModule from 'next';
import { createCloudflareAuthenticator, createLocalAuthenticator, type Authenticator } from './authenticator.js';
import { createEdgeCalls } from './edge-calls.js';
import { createAccessVerifier } from './cloudflare.js';
import { createRequestHandler, createUpgradeHandler } from './handler.js';
import { checkEdgeConfig } from './edge-config.js';
import { isLocalHostHeader, publicOrigin, type ListenTarget } from './listen.js';
import { announceLoginLink } from './login.js';
import { createFailureAudit, type FailedSignIn } from './failure-audit.js';
import { createLiveConnections } from './live-connections.js';
import { createTerminalBridge } from './terminal-proxy.js';

type NextApp = ReturnType<typeof NextModule.default>;

/** Next.js, loaded after the edge listens (it is most of the start time). */
async function loadNext(appDir: string): Promise<NextApp> {
  // Next keeps rendered pages in .next/server/route-cache under a key that survives a rebuild,
  // so after an update it would keep serving the old UI's HTML (naming the old chunks); it is
  // only a cache, rebuilt on the first request.
  rmSync(join(appDir, '.next', 'server', 'route-cache'), { recursive: true, force: true });
  const mod = (await import('next')) as unknown as { default?: unknown };
  // next is CommonJS (module.exports = createServer) while its types declare a default export.
  const next = ((mod.default as { default?: unknown } | undefined)?.default ?? mod.default ?? mod) as typeof NextModule.default;
  return next({ dev: false, dir: appDir, quiet: true });
}

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
  // The edge's own calls carry the edge-only credential (derived from the service token, read
  // per call so a rotation is picked up); they reach only /internal/edge/.
  const api = createEdgeCalls(
    createSocketClient({ socketPath: paths.apiSocket, headers: () => ({ [EDGE_CREDENTIAL_HEADER]: edgeCredential(serviceToken.current()) }), timeoutMs: 10_000 }),
  );
  const verifier = cloudflare
    ? createAccessVerifier({
        teamDomain: config.cloudflare.team_domain,
        aud: config.cloudflare.aud,
        certsUrl: config.cloudflare.certs_url,
        ownerEmail: config.owner_email,
        allowedEmails: config.cloudflare.allowed_emails,
      })
    : null;
  const authenticator = verifier ? createCloudflareAuthenticator(verifier, api) : createLocalAuthenticator(api);
  const live = createLiveConnections({
    activeLoginSessions: (ids) => api.activeLoginSessions(ids),
    verifyAccess: async (token) => (verifier ? (await verifier.verify(token)).ok : false),
    log: log.child({ component: 'live' }),
  });
  shutdown.add('live connections', () => live.dispose());
  const failureAudit = createFailureAudit(api, log.child({ component: 'audit' }));
  shutdown.add('failure audit', () => failureAudit.dispose());

  if (!existsSync(join(options.appDir, '.next', 'BUILD_ID'))) {
    throw new AppError('unavailable', `the web UI is not built (no ${join(options.appDir, '.next')}); run "npm run build"`);
  }
  // Listening does not wait for Next.js: after a restart the proxy and the terminals serve at
  // once, and pages wait for `prepared` (awaited below, so a failure still stops the start).
  const prepared = loadNext(options.appDir).then(async (app) => {
    shutdown.add('next', () => app.close());
    await app.prepare();
    return app.getRequestHandler();
  });
  prepared.catch(() => undefined);

  const bridge = createTerminalBridge({ socketPath: paths.terminalSocket, apiSocketPath: paths.apiSocket, log: log.child({ component: 'terminal-proxy' }) });
  shutdown.add('terminal bridge', () => bridge.dispose());
  // Filled in once listening: a configured port 0 becomes a real one.
  const local = { port: target.kind === 'tcp' ? target.port : -1 };
  const deps = {
    hostAllowed: cloudflare ? undefined : (host: string | undefined) => isLocalHostHeader(host, local.port),
    authenticator,
    serviceToken,
    bridge,
    apiSocket: paths.apiSocket,
    terminalSocket: paths.terminalSocket,
    admitsOthers: cloudflare && config.cloudflare.allowed_emails.some((e) => e.trim().toLowerCase() !== config.owner_email.toLowerCase()),
    live,
    auditFailure: (failure: FailedSignIn) => failureAudit.record(failure),
    caps: { eventStreamsPerUser: config.rate_limit.event_streams_per_user, terminalsPerUser: config.rate_limit.terminals_per_user },
    login: {
      api,
      secureCookie: cloudflare,
      log: log.child({ component: 'login' }),
      onSignedOut: (sessionId: string) => live.endLoginSession(sessionId, 'signed out'),
    },
    next: async (req: IncomingMessage, res: ServerResponse) => (await prepared)(req, res),
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
  answerClientErrors(server);
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
  if (actualPort !== undefined) local.port = actualPort;
  const origin = publicOrigin(target, actualPort);
  // Where this edge really listens (the config the CLI reads may say otherwise: RDV_WEB_LISTEN, --set, port 0).
  shutdown.add('listen file', writeListenFile(paths.webListenFile, target.kind === 'unix' ? { socket: target.path } : { url: origin! }));
  log.info({ listen: target.kind === 'unix' ? target.path : `${target.host}:${actualPort}`, mode: authenticator.mode }, 'web edge listening');
  if (cloudflare && !config.owner_email && config.cloudflare.allowed_emails.length === 0) {
    log.warn('Cloudflare Access is on but neither owner_email nor cloudflare.allowed_emails is set: nobody can sign in');
  }
  if (!cloudflare) {
    void announceLoginLink({ api, origin, print: options.print, log, isStopped: () => shutdown.stopping });
  }
  // A Next.js that cannot start still stops the edge (pages would never load).
  await prepared;
  return { server, mode: authenticator.mode, target, origin };
}
