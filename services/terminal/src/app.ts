import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { authError, authorizeScrape, createCredentialWatch, createRequestAuthenticator, type ServiceTokenStore, type UserCaller } from '@rdv/core/auth';
import { ConfigSchema, type ConfigFile } from '@rdv/core/config';
import type { DbHandle } from '@rdv/core/db';
import { AppError, toAppError } from '@rdv/core/errors';
import { answerClientErrors, baseHealth, cachedCount, refuseUpgrade } from '@rdv/core/lifecycle';
import type { Logger } from '@rdv/core/log';
import { attachTmuxPty, type PtyProcess } from '@rdv/core/pty';
import { checkRequestTarget, formatZodError, IdSchema, type Session } from '@rdv/core/schemas';
import { readExitStatus, type SessionService } from '@rdv/core/session';
import type { Tmux } from '@rdv/core/tmux';
import { WebSocketServer, type WebSocket } from 'ws';
import { createTerminalClient, type TerminalClient } from './client.js';
import { AttachQuerySchema, MAX_WS_PAYLOAD_BYTES, type AttachQuery } from './frames.js';
import { matchTerminalPath, sendError, sendJson } from './http.js';
import { createSessionHub, type HubLimits, type HubStats, type SessionHub } from './hub.js';
import { createTerminalMetrics, meterPty, timeRequest, type TerminalMetrics } from './metrics.js';

export interface TerminalLimits extends HubLimits {
  /** How often every client is pinged. */
  keepAliveIntervalMs: number;
  /** A client silent (no pong, no frame) for this long is dropped. */
  keepAliveTimeoutMs: number;
}

/** The `[terminal]` config section as the service's limits. */
export function limitsFrom(t: ConfigFile['terminal']): TerminalLimits {
  return {
    keepAliveIntervalMs: t.keepalive_interval_seconds * 1000,
    keepAliveTimeoutMs: t.keepalive_timeout_seconds * 1000,
    watermarks: { highBytes: t.high_watermark_kb * 1024, lowBytes: t.low_watermark_kb * 1024 },
    stallBytes: t.stall_kb * 1024,
    pendingInputBytes: t.pending_input_kb * 1024,
  };
}

/** What config.toml's defaults give. */
export const DEFAULT_LIMITS: TerminalLimits = limitsFrom(ConfigSchema.parse({}).terminal);

export interface TerminalServerDeps {
  db: DbHandle;
  tmux: Tmux;
  /** Only `get` is used: the session by id, scoped to its user (not_found for anyone else's). */
  sessions: Pick<SessionService, 'get'>;
  serviceToken: ServiceTokenStore;
  log: Logger;
  version: string;
  startedAt: number;
  rateLimits: { requestsPerMinute: number; authFailuresPerMinute: number; terminalsPerUser?: number };
  /** How often open terminals re-check the token they were opened with (default 1 s). */
  credentialCheckMs?: number;
  limits?: Partial<TerminalLimits>;
  /** Where sessions leave their exit status (RdvPaths.exitStatusDir); without it `exit` carries 0. */
  exitStatusDir?: string;
  /** Base environment of tmux clients (sanitized before use; default process.env). */
  ptyEnv?: NodeJS.ProcessEnv;
  /** Told when a session's tmux session ends under an attached client (its shell exited, or it was killed). */
  onSessionEnded?: (sessionId: string) => void;
  /** Prometheus families (made here when absent). */
  metrics?: TerminalMetrics;
}

export interface TerminalStats {
  sessions: number;
  clients: number;
  backlogBytes: number;
  maxBacklogBytes: number;
  /** tmux clients (ptys) started and not yet exited or detached. */
  tmuxClients: number;
  hubs: HubStats[];
}

export interface TerminalServer {
  /** Answers GET /health and upgrades /ws/terminal/:sessionId; the caller listens. */
  server: Server;
  stats(): TerminalStats;
  /**
   * Refuses new upgrades, detaches every tmux client (the sessions keep running) and
   * closes every websocket with `code`; waits up to `deadlineMs` for the close
   * handshakes, then cuts what is left. Idempotent.
   */
  closeAll(code: number, reason: string, deadlineMs: number): Promise<void>;
}

/** The terminal service: HTTP health, authenticated websocket attach, one hub per session. */
export function createTerminalServer(deps: TerminalServerDeps): TerminalServer {
  const { log, tmux } = deps;
  const limits: TerminalLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const auth = createRequestAuthenticator({ db: deps.db.db, serviceToken: deps.serviceToken, log, service: 'terminal', limits: deps.rateLimits });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_PAYLOAD_BYTES, perMessageDeflate: false, clientTracking: false });
  // A terminal lives only as long as the token it was opened with (revoked or expired: closed).
  const watch = createCredentialWatch({
    db: deps.db.db,
    checkEveryMs: deps.credentialCheckMs,
    onError: (err) => log.warn({ err }, 'could not re-check the credentials of open terminals'),
  });
  const hubs = new Map<string, SessionHub>();
  const clients = new Set<TerminalClient>();
  const sockets = new Set<WebSocket>();
  const ptys = new Set<PtyProcess>();
  let nextClientId = 1;
  let closing = false;
  let requestsInFlight = 0;
  const metrics = deps.metrics ?? createTerminalMetrics();
  metrics.service.gauge('rdv_websocket_connections', 'Open terminal websockets', () => sockets.size);

  const hubFor = (session: Session): SessionHub => {
    const existing = hubs.get(session.id);
    if (existing && !existing.ended) return existing;
    const hub = createSessionHub({
      sessionId: session.id,
      log: log.child({ component: 'hub', sessionId: session.id }),
      limits,
      attach: (cols, rows) => {
        const pty = meterPty(attachTmuxPty(tmux, session.tmuxName, { cols, rows, env: deps.ptyEnv }), metrics);
        for (const p of ptys) if (p.closed) ptys.delete(p);
        ptys.add(pty);
        return pty;
      },
      sessionAlive: () => tmux.hasSession(session.tmuxName),
      exitStatus: () => (deps.exitStatusDir ? readExitStatus(deps.exitStatusDir, session.tmuxName) : null),
      onEmpty: (h) => {
        if (hubs.get(session.id) === h) hubs.delete(session.id);
      },
      onEnded: () => deps.onSessionEnded?.(session.id),
    });
    hubs.set(session.id, hub);
    return hub;
  };

  /** Everything that decides whether this upgrade may become a websocket. Throws AppError. */
  const admit = async (req: IncomingMessage): Promise<{ auth: UserCaller; session: Session; query: AttachQuery }> => {
    if (closing) throw new AppError('unavailable', 'the terminal service is shutting down');
    const target = checkRequestTarget(req.url ?? '');
    if (!target.ok) throw new AppError('invalid_input', target.message);
    const url = new URL(req.url ?? '/', 'http://terminal');
    const id = matchTerminalPath(url.pathname);
    if (id === null) throw new AppError('not_found', `no websocket at ${url.pathname}`);
    const authCtx = auth.authenticate(req.headers, { target: `WS /ws/terminal/${IdSchema.safeParse(id).success ? id : '?'}` });
    if (!authCtx.ok) throw authError(authCtx);
    const cap = deps.rateLimits.terminalsPerUser;
    if (cap !== undefined && watch.count(authCtx.user.id) >= cap) {
      throw new AppError('rate_limited', `you already have ${cap} terminals open (the limit); close some before opening another`);
    }
    const parsed = AttachQuerySchema.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success) throw new AppError('invalid_input', `query: ${formatZodError(parsed.error)}`);
    const session = deps.sessions.get(authCtx.user.id, id);
    if (session.status === 'suspended') throw new AppError('conflict', `session ${session.name} is suspended; resume it to attach`);
    if (session.status !== 'active') throw new AppError('not_found', `session ${session.name} has ended`);
    if (!(await tmux.hasSession(session.tmuxName))) throw new AppError('not_found', `session ${session.name} has ended (no tmux session)`);
    return { auth: authCtx, session, query: parsed.data };
  };

  const accept = (ws: WebSocket, a: { auth: UserCaller; session: Session; query: AttachQuery }) => {
    const id = nextClientId++;
    sockets.add(ws);
    const client = createTerminalClient({
      id,
      ws,
      sessionId: a.session.id,
      userId: a.auth.user.id,
      outputMode: a.query.output,
      cols: a.query.cols,
      rows: a.query.rows,
      log: log.child({ component: 'client', sessionId: a.session.id, clientId: id }),
    });
    clients.add(client);
    const untrack = watch.add({ userId: a.auth.user.id, method: a.auth.method, tokenId: a.auth.tokenId }, (reason) => client.close(4401, reason.slice(0, 120)));
    ws.on('close', () => {
      untrack();
      clients.delete(client);
      sockets.delete(ws);
    });
    log.info({ sessionId: a.session.id, clientId: id, userId: a.auth.user.id, method: a.auth.method, tokenId: a.auth.tokenId }, 'client attached');
    hubFor(a.session).join(client);
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (err) => log.debug({ err: err.message }, 'upgrade socket error'));
    admit(req).then(
      (a) => {
        if (closing) return refuseUpgrade(socket, new AppError('unavailable', 'the terminal service is shutting down'));
        if (socket.destroyed) return;
        auth.audit({ action: 'terminal.attach', outcome: 'ok', userId: a.auth.user.id, tokenId: a.auth.tokenId, authMethod: a.auth.method, target: a.session.id });
        wss.handleUpgrade(req, socket, head, (ws) => accept(ws, a));
      },
      (err: unknown) => {
        const error = toAppError(err);
        if (error.code === 'internal') log.error({ err }, 'terminal attach failed');
        refuseUpgrade(socket, error);
      },
    );
  };

  // Polled by supervisors and probes: tmux is counted at most every 2 s, not once per call.
  const countTmuxSessions = cachedCount(async () => (await tmux.listSessions()).length, 2000);
  const health = async () => {
    const { tmuxSessions, ...base } = await baseHealth({
      version: deps.version,
      startedAt: deps.startedAt,
      database: deps.db.ping(),
      countTmuxSessions,
    });
    const s = stats();
    return {
      ...base,
      metrics: {
        tmuxSessions,
        attachedSessions: s.sessions,
        clients: s.clients,
        backlogBytes: s.backlogBytes,
        maxBacklogBytes: s.maxBacklogBytes,
        rssBytes: process.memoryUsage.rss(),
        websocketConnections: sockets.size,
        requestsInFlight,
      },
    };
  };

  const server = createServer((req, res) => {
    const target = checkRequestTarget(req.url ?? '');
    if (!target.ok) return sendError(res, new AppError('invalid_input', target.message));
    const url = new URL(req.url ?? '/', 'http://terminal');
    timeRequest(metrics.service, req, res);
    requestsInFlight++;
    res.once('close', () => requestsInFlight--);
    if (url.pathname === '/metrics' && req.method === 'GET') {
      serveMetrics(req, res);
      return;
    }
    if (url.pathname === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      health().then(
        (body) => sendJson(res, 200, body),
        (err: unknown) => sendError(res, toAppError(err)),
      );
      return;
    }
    if (matchTerminalPath(url.pathname) !== null) {
      return sendError(res, new AppError('invalid_input', 'this endpoint takes a websocket upgrade'));
    }
    sendError(res, new AppError('not_found', `no route for ${req.method} ${url.pathname}`));
  });
  server.on('upgrade', onUpgrade);
  answerClientErrors(server);

  /** Prometheus text for the service token or the owner's CLI token (see authorizeScrape). */
  const serveMetrics = (req: IncomingMessage, res: ServerResponse) => {
    Promise.resolve()
      .then(() => authorizeScrape(auth, deps.db.db, req.headers, 'GET /metrics'))
      .then(() => metrics.service.render())
      .then(
        (text) => res.writeHead(200, { 'content-type': metrics.service.contentType, 'cache-control': 'no-store' }).end(text),
        (err: unknown) => sendError(res, toAppError(err)),
      );
  };

  const keepAlive = setInterval(() => {
    const at = Date.now();
    for (const c of clients) c.heartbeat(at, limits.keepAliveTimeoutMs);
  }, limits.keepAliveIntervalMs);
  keepAlive.unref();

  const stats = (): TerminalStats => {
    const list = [...hubs.values()].map((h) => h.stats());
    for (const pty of ptys) if (pty.closed) ptys.delete(pty);
    return {
      sessions: list.length,
      clients: clients.size,
      backlogBytes: list.reduce((a, h) => a + h.backlogBytes, 0),
      maxBacklogBytes: Math.max(0, ...list.map((h) => h.maxBacklogBytes)),
      tmuxClients: ptys.size,
      hubs: list,
    };
  };

  let closed: Promise<void> | null = null;
  const closeAll = (code: number, reason: string, deadlineMs: number): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      clearInterval(keepAlive);
      watch.dispose();
      for (const hub of [...hubs.values()]) hub.dispose(code, reason);
      hubs.clear();
      const deadline = Date.now() + deadlineMs;
      while (sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const ws of sockets) ws.terminate();
      wss.close();
    })();
    return closed;
  };

  return { server, stats, closeAll };
}
