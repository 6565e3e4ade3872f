import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCredentialWatch, createRequestAuthenticator, ensureOwner, flushAudit, openSecretBox, openServiceTokenStore } from '@rdv/core/auth';
import { expandHome, type RdvConfig } from '@rdv/core/config';
import { openDb } from '@rdv/core/db';
import { createEventBus } from '@rdv/core/events';
import { createFolderService } from '@rdv/core/folder';
import { createHookDispatcher, createHookStore } from '@rdv/core/hooks';
import { createHostService } from '@rdv/core/hosts';
import { createIdentityService, createRepositoryService, createSessionIdentities } from '@rdv/core/identity';
import { createKnowledgeService, createLearningService } from '@rdv/core/knowledge';
import { acquirePidFile, answerClientErrors, disposer, ensurePrivateDir, listenUnix, refuseUpgrade, type ShutdownController } from '@rdv/core/lifecycle';
import { AppError } from '@rdv/core/errors';
import type { Logger } from '@rdv/core/log';
import { createOrchestratorService } from '@rdv/core/orchestrator';
import { createOutputIndexer, createOutputSearch } from '@rdv/core/output';
import { createSessionService } from '@rdv/core/session';
import { createKeyTyper, openConfiguredTmux } from '@rdv/core/tmux';
import { createWorktreeService } from '@rdv/core/worktree';
import { createApp } from './app.js';
import { createHostTerminals } from './host-terminal.js';
import { startApiJobs } from './jobs.js';
import { createApiMetrics } from './metrics.js';
import { createNotifications } from './notifier.js';

const DAY_MS = 86_400_000;
/** The `rdv` command agents' hooks run (`rdv hook <agent>`), from this checkout. */
const CLI_MAIN = fileURLToPath(new URL('../../../packages/cli/dist/main.js', import.meta.url));

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface RunningApi {
  server: Server;
  socketPath: string;
  ownerId: string;
}

/**
 * Starts the api on RDV_HOME/run/api.sock: pid file, database + migrations, service
 * token, owner and CLI token, reconcile with tmux, listen, background jobs. Every
 * resource is registered on `shutdown`, which releases them in reverse order.
 */
export async function startApi(config: RdvConfig, log: Logger, shutdown: ShutdownController): Promise<RunningApi> {
  const { paths } = config;
  ensurePrivateDir(paths.home);
  ensurePrivateDir(paths.runDir);
  ensurePrivateDir(paths.serverDir);

  const pid = acquirePidFile(paths.pidFile('api'), [paths.apiSocket], log, 'api');
  shutdown.add('pid file', () => pid.release());

  const db = openDb({ path: paths.db, busyTimeoutMs: config.database.busy_timeout_ms, migrate: true });
  shutdown.add('database', () => db.dispose());
  // Steps run last-added first: queued audit rows are written before the database closes.
  shutdown.add('audit rows', () => flushAudit(db.db));
  log.info({ path: paths.db }, 'database ready');

  const serviceToken = openServiceTokenStore(paths.serviceToken, {
    create: true,
    graceMs: config.auth.service_token_grace_seconds * 1000,
  });
  const rotationMs = config.auth.service_token_rotation_days * DAY_MS;
  const maybeRotate = () => {
    if (rotationMs > 0 && serviceToken.ageMs() > rotationMs) {
      log.info({ tokenId: serviceToken.rotate() }, 'service token rotated (it was older than the rotation period)');
    }
  };
  maybeRotate();

  const tmux = await openConfiguredTmux(config, log, 'sessions will fail');

  const events = createEventBus(db.db);
  const folders = createFolderService({ db: db.db, events });
  const knowledge = createKnowledgeService({ db: db.db, folders });
  const hooks = createHookStore({ db: db.db, folders });
  // Registered before the sessions start moving; disposed before the database it writes to.
  const hookDispatcher = createHookDispatcher({ db: db.db, events, folders, log: log.child({ component: 'hooks' }), apiSocket: paths.apiSocket });
  shutdown.add('folder hooks', () => hookDispatcher.dispose());
  const identities = createIdentityService({ db: db.db, box: openSecretBox(paths.serverDir), events, log: log.child({ component: 'identities' }) });
  const repositories = createRepositoryService({ db: db.db, identities, events, log: log.child({ component: 'repositories' }), home: paths.home, runDir: paths.runDir });
  const worktrees = createWorktreeService({
    db: db.db,
    log: log.child({ component: 'worktrees' }),
    root: config.worktrees.root ? expandHome(config.worktrees.root) : '',
    home: paths.home,
    trashRetentionDays: config.cleanup.trash_retention_days,
    staleDays: config.worktrees.stale_days,
    repositories,
  });
  // Each session that works as an identity has its own ssh-agent; they end with the api and come back with it.
  const sessionIdentities = createSessionIdentities({
    db: db.db,
    events,
    identities,
    sessionRunDir: paths.sessionRunDir,
    knownHosts: repositories.knownHosts,
    log: log.child({ component: 'identities' }),
  });
  shutdown.add('session ssh-agents', () => sessionIdentities.dispose());
  shutdown.add('repository clones', () => repositories.idle());
  // Agents report their own state through hooks running `node <cli main.js> hook <agent>`.
  const agentHooks = existsSync(CLI_MAIN) ? { rdvArgv: [process.execPath, CLI_MAIN], runDir: paths.sessionRunDir } : null;
  if (!agentHooks) log.warn({ expected: CLI_MAIN }, 'the rdv CLI is not built; agents start without hooks (their screens still tell)');
  const typer = createKeyTyper({ tmux, log: log.child({ component: 'typer' }) });
  shutdown.add('tmux typer', () => typer.dispose());
  const sessions = createSessionService({
    db: db.db,
    tmux,
    typer,
    folders,
    events,
    log: log.child({ component: 'sessions' }),
    shell: config.sessions.shell,
    defaultCwd: config.sessions.default_cwd || homedir(),
    apiSocket: paths.apiSocket,
    worktrees,
    exitStatusDir: paths.exitStatusDir,
    agentHooks,
    output: { sessionsDir: paths.sessionsDir, home: paths.home, maxBytes: config.sessions.log_max_bytes },
    stopTimeoutMs: config.sessions.stop_timeout_seconds * 1000,
    restore: config.sessions.restore,
    identities: sessionIdentities,
    startupKnowledge: (r) => {
      if (!r.folderId) return null;
      try {
        const doc = knowledge.document(r.userId, r.folderId);
        return doc.entries ? { markdown: doc.markdown, dir: join(paths.sessionsDir, r.id) } : null;
      } catch (err) {
        // The session starts without it rather than not at all.
        log.warn({ err, sessionId: r.id }, 'could not read the folder knowledge for a new session');
        return null;
      }
    },
  });

  const { owner } = ensureOwner(db.db, { email: config.owner_email, cliTokenPath: paths.cliToken, log });

  ensurePrivateDir(paths.sessionsDir);
  try {
    // Lost sessions (a reboot, a killed tmux server) come back here, per [sessions] restore.
    const { closed, restored, orphans } = await sessions.reconcile({ atStart: true });
    if (restored.length) log.warn({ restored, policy: config.sessions.restore }, 'lost sessions restored');
    if (closed.length) log.warn({ closed }, 'sessions whose tmux session is gone were marked closed');
    if (orphans.length) log.warn({ orphans }, 'tmux sessions named rdv-* with no open session (orphans); left running');
  } catch (err) {
    log.error({ err }, 'could not reconcile sessions with tmux');
  }
  const agents = await sessionIdentities.resumeAgents();
  if (agents) log.info({ agents }, 'ssh-agents of open sessions started again');

  // Proposes learnings when agents finish turns and sessions close; disposed before the database.
  const learnings = createLearningService({ db: db.db, events, folders, knowledge, locate: sessions.locateOutput, log: log.child({ component: 'learnings' }) });
  shutdown.add('learnings', () => learnings.dispose());

  const search = createOutputSearch({ db, locate: sessions.locateOutput });
  shutdown.add('output search', () => search.dispose());
  const indexer = createOutputIndexer({ db, locate: sessions.locateOutput, log: log.child({ component: 'output-index' }) });

  const metrics = createApiMetrics();
  shutdown.add('metrics', () => metrics.service.dispose());

  // Insights become notifications (Web Push, webhook, the notification centre).
  const notifications = createNotifications(config, db.db, events, log.child({ component: 'notifications' }), metrics.notificationsSent);
  shutdown.add('notifier', async () => {
    notifications.notifier.dispose();
    await notifications.notifier.idle();
  });

  // Monitoring left on before a restart resumes here; disposed before the database it writes to.
  const orchestrator = createOrchestratorService({
    db: db.db,
    tmux,
    events,
    folders,
    sessions,
    log: log.child({ component: 'orchestrator' }),
    defaults: {
      intervalSeconds: config.monitoring.interval_seconds,
      stallThresholdSeconds: config.monitoring.stall_threshold_seconds,
    },
    monitor: { onScan: (ms) => metrics.monitorScan.observe(ms / 1000) },
    notifier: notifications.notifier,
  });
  shutdown.add('orchestrator', () => orchestrator.dispose());
  // Monitoring is on from the first start: the owner's Master Control exists and watches.
  orchestrator.ensureMaster(owner.id);
  orchestrator.start();

  // Other machines running rdv: one ssh link each, started here, ended before the database.
  const hosts = createHostService({
    db: db.db,
    events,
    secrets: openSecretBox(paths.serverDir),
    log: log.child({ component: 'hosts' }),
    runDir: paths.runDir,
    version: VERSION,
    ssh: {
      ssh: config.hosts.ssh,
      keepaliveSeconds: config.hosts.keepalive_seconds,
      keepaliveCount: config.hosts.keepalive_count,
      connectTimeoutSeconds: config.hosts.connect_timeout_seconds,
      defaultKnownHosts: join(paths.home, 'known_hosts'),
    },
    probeIntervalMs: config.hosts.probe_interval_seconds * 1000,
    reconnectMaxMs: config.hosts.reconnect_max_seconds * 1000,
  });
  shutdown.add('host links', () => hosts.dispose());

  const watch = createCredentialWatch({ db: db.db, onError: (err) => log.warn({ err }, 'could not re-check the credentials of open event streams') });
  shutdown.add('credential watch', () => watch.dispose());
  const limits = {
    requestsPerMinute: config.rate_limit.requests_per_minute,
    sensitivePerMinute: config.rate_limit.sensitive_per_minute,
    authFailuresPerMinute: config.rate_limit.auth_failures_per_minute,
    eventStreamsPerUser: config.rate_limit.event_streams_per_user,
  };
  const api = createApp({
    watch,
    onRevoked: (credential) => {
      if (credential.kind === 'token') watch.tokenRevoked(credential.id);
    },
    db,
    tmux,
    events,
    folders,
    knowledge,
    learnings,
    hooks,
    sessions,
    hosts,
    worktrees,
    identities,
    repositories,
    orchestrator,
    notifications,
    search,
    serviceToken,
    log,
    version: VERSION,
    startedAt: Date.now(),
    limits,
    cliTokenExpiryDays: config.auth.cli_token_expiry_days,
    loginSessions: {
      idleMs: config.auth.login_session_idle_hours * 3_600_000,
      maxAgeMs: config.auth.login_session_max_days * DAY_MS,
    },
    admission: { ownerEmail: config.owner_email, allowedEmails: config.cloudflare.allowed_emails },
    apiSocket: paths.apiSocket,
    metrics,
    onServiceTokenRotated: (id) => log.info({ tokenId: id }, 'service token rotated'),
  });

  const server = createServer(api.app);
  server.keepAliveTimeout = 5000;
  answerClientErrors(server);
  const hostTerminals = createHostTerminals({
    hosts,
    log: log.child({ component: 'host-terminals' }),
    authenticator: createRequestAuthenticator({ db: db.db, serviceToken, log, service: 'api', limits }),
  });
  server.on('upgrade', (req, socket, head) => {
    if (!hostTerminals.handleUpgrade(req, socket, head)) refuseUpgrade(socket, new AppError('not_found', 'no websocket here'));
  });
  shutdown.add('host terminals', () => hostTerminals.dispose());
  const removeSocket = await listenUnix(server, paths.apiSocket);
  shutdown.add('socket file', removeSocket);
  const drain = disposer(server, {
    deadlineMs: Math.max(100, config.shutdown.deadline_ms - 1000),
    pending: api.pending,
    closeStreams: () => {
      api.sse.closeAll();
      hostTerminals.closeAll(1001, 'rdv is shutting down');
    },
  });
  shutdown.add('http server', () => drain.dispose());

  const jobs = startApiJobs(config, log, { worktrees, sessions, events, db: db.db, indexer, rotateServiceToken: maybeRotate });
  shutdown.add('background jobs', () => jobs.dispose());
  // Disposed before the jobs (shutdown runs in reverse): a long catch-up stops at its next batch.
  shutdown.add('output indexer', () => indexer.dispose());

  log.info({ socket: paths.apiSocket, ownerId: owner.id }, 'api listening');
  return { server, socketPath: paths.apiSocket, ownerId: owner.id };
}
