import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RateLimiter, ServiceTokenStore } from '@rdv/core/auth';
import { AppError } from '@rdv/core/errors';
import { refuseUpgrade } from '@rdv/core/lifecycle';
import type { Logger } from '@rdv/core/log';
import { proxyApiRequest } from './api-proxy.js';
import type { AuthOutcome, Authenticator } from './authenticator.js';
import type { Identity } from './headers.js';
import { handleLogin, handleLogout, type LoginDeps } from './login.js';
import { MCP_PATH, proxyMcpRequest } from './mcp-proxy.js';
import { CLI_TOKEN_BEARER, metricsServiceOf, proxyMetrics } from './metrics-proxy.js';
import { SECURITY_HEADERS, sendJsonError, sendPage } from './responses.js';
import type { TerminalBridge } from './terminal-proxy.js';

export interface HandlerDeps {
  authenticator: Authenticator;
  serviceToken: Pick<ServiceTokenStore, 'current'>;
  bridge: TerminalBridge;
  apiSocket: string;
  /** The terminal service's socket, for its /metrics (at /metrics/terminal). */
  terminalSocket?: string;
  login: LoginDeps;
  /** Next.js's request handler: pages and assets. */
  next: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Failed authentications per client; when empty the caller gets 429 instead of 401. */
  failures?: RateLimiter;
  log: Logger;
}

/** Counts a failed authentication; true when this client has failed too often and must wait. */
function overLimit(deps: HandlerDeps, req: IncomingMessage, reason: string): boolean {
  const key = req.socket.remoteAddress ?? 'local';
  const waitMs = deps.failures?.take(key) ?? 0;
  if (waitMs > 0) deps.log.warn({ client: key, waitMs }, 'too many failed authentications; answering 429');
  else deps.log.debug({ client: key, reason }, 'authentication failed');
  return waitMs > 0;
}

/** The error code of a failed authentication's status. */
const refusalCode = (status: number): 'unavailable' | 'forbidden' | 'unauthorized' =>
  status === 503 ? 'unavailable' : status === 403 ? 'forbidden' : 'unauthorized';

/** Build assets are public (content-hashed, no data in them); the login page needs them. */
const PUBLIC_ASSET = /^\/(_next\/static\/|favicon\.ico$|icon\.svg$)/;

/** A browser request carrying an Origin of another site is refused (CSRF, cross-site websockets). */
export function isCrossSite(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host.toLowerCase() !== String(req.headers.host ?? '').toLowerCase();
  } catch {
    return true;
  }
}

function serviceIdentity(deps: HandlerDeps, userId: string): Identity | null {
  try {
    return { serviceToken: deps.serviceToken.current(), userId };
  } catch {
    // No service token file yet: the api has never started.
    return null;
  }
}

function refusePage(res: ServerResponse, mode: Authenticator['mode'], outcome: Exclude<AuthOutcome, { ok: true }>): void {
  if (outcome.status === 503) return sendPage(res, 503, 'rdv is not ready', [outcome.reason, 'Check `rdv status`.']);
  if (outcome.status === 403) return sendPage(res, 403, 'Not allowed', [outcome.reason]);
  if (mode === 'local') {
    return sendPage(res, 401, 'Sign in to rdv', [
      'Open the login link printed when rdv started.',
      'Lost it? Run `rdv login-link` on the machine running rdv for a fresh one.',
    ]);
  }
  return sendPage(res, 401, 'Cloudflare Access required', [outcome.reason, 'Open rdv through its Cloudflare Access address.']);
}

/** The edge's HTTP handler: public assets, login, then authentication, then the proxy or the UI. */
export function createRequestHandler(deps: HandlerDeps) {
  const { authenticator } = deps;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (PUBLIC_ASSET.test(path) && (req.method === 'GET' || req.method === 'HEAD')) return deps.next(req, res);
    if (authenticator.mode === 'local' && path === '/login') return handleLogin(req, res, deps.login);
    if (authenticator.mode === 'local' && path === '/auth/logout' && req.method === 'POST') {
      if (isCrossSite(req)) return sendPage(res, 403, 'Not allowed', ['Cross-site request refused.']);
      return handleLogout(res, deps.login);
    }
    // Remote MCP clients: an API key as Bearer, never the browser's cookie or Access identity.
    if (path === MCP_PATH) {
      const refused = (reason: string) => overLimit(deps, req, reason);
      return proxyMcpRequest(req, res, { socketPath: deps.apiSocket, log: deps.log, crossSite: isCrossSite(req), refused });
    }
    // Prometheus through the edge: /metrics/api and /metrics/terminal, for the owner.
    const metricsOf = metricsServiceOf(path);
    const metricsSocket = metricsOf === 'terminal' ? deps.terminalSocket : metricsOf === 'api' ? deps.apiSocket : undefined;
    const scraper = String(req.headers.authorization ?? '');
    if (metricsSocket && CLI_TOKEN_BEARER.test(scraper)) return proxyMetrics(req, res, metricsSocket, { authorization: scraper }, deps.log);

    const outcome = await authenticator.authenticate(req.headers);
    const isApi = path.startsWith('/api/');
    if (!outcome.ok) {
      req.resume();
      if (outcome.status !== 503 && overLimit(deps, req, outcome.reason)) {
        res.setHeader('Retry-After', '60');
        if (isApi) return sendJsonError(res, 429, 'rate_limited', 'too many failed sign-in attempts; wait a minute');
        return sendPage(res, 429, 'Too many attempts', ['Too many failed sign-in attempts from here. Wait a minute and try again.']);
      }
      if (isApi || path.startsWith('/auth/')) return sendJsonError(res, outcome.status, refusalCode(outcome.status), outcome.reason);
      return refusePage(res, authenticator.mode, outcome);
    }
    if (path === '/auth/whoami') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ mode: authenticator.mode, email: outcome.email, userId: outcome.userId }));
      return;
    }
    if (metricsSocket) {
      const identity = serviceIdentity(deps, outcome.userId);
      if (!identity) return sendJsonError(res, 503, 'unavailable', 'the rdv api has not started yet');
      return proxyMetrics(req, res, metricsSocket, { 'x-rdv-service-token': identity.serviceToken, 'x-rdv-user-id': identity.userId }, deps.log);
    }
    if (isApi) {
      if (req.method !== 'GET' && req.method !== 'HEAD' && isCrossSite(req)) {
        req.resume();
        return sendJsonError(res, 403, 'forbidden', 'cross-site request refused');
      }
      const identity = serviceIdentity(deps, outcome.userId);
      if (!identity) return sendJsonError(res, 503, 'unavailable', 'the rdv api has not started yet');
      return proxyApiRequest(req, res, identity, { socketPath: deps.apiSocket, log: deps.log });
    }
    if (path.startsWith('/ws/')) return sendJsonError(res, 426, 'invalid_input', 'this path is a websocket');
    return deps.next(req, res);
  };
}

/** The edge's upgrade handler: only /ws/terminal/:id, same-origin, authenticated. */
export function createUpgradeHandler(deps: HandlerDeps) {
  return async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    socket.on('error', () => {
      // A browser that vanished mid-handshake: nothing to clean up beyond the socket itself.
    });
    const path = (req.url ?? '/').split('?')[0]!;
    if (!path.startsWith('/ws/terminal/')) return refuseUpgrade(socket, new AppError('not_found', `no websocket at ${path}`));
    if (isCrossSite(req)) return refuseUpgrade(socket, new AppError('forbidden', 'cross-site websocket refused'));
    const outcome = await deps.authenticator.authenticate(req.headers);
    if (!outcome.ok && outcome.status !== 503 && overLimit(deps, req, outcome.reason)) {
      return refuseUpgrade(socket, new AppError('rate_limited', 'too many failed sign-in attempts; wait a minute', { retryAfterMs: 60_000 }));
    }
    if (!outcome.ok) return refuseUpgrade(socket, new AppError(refusalCode(outcome.status), outcome.reason));
    const identity = serviceIdentity(deps, outcome.userId);
    if (!identity) return refuseUpgrade(socket, new AppError('unavailable', 'the rdv api has not started yet'));
    deps.bridge.handleUpgrade(req, socket, head, identity);
  };
}
