import { and, eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import { schema, type Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import type { EventBus } from '../events/index.js';
import type { FolderService } from '../folder/index.js';
import {
  SESSION_STATES,
  type CreateOrchestrator,
  type Insight,
  type ListInsightsQuery,
  type MonitoringStatus,
  type Orchestrator,
  type SessionState,
  type StalledSession,
  type UpdateOrchestrator,
  type AgentEvent,
  type AgentState,
} from '../schemas/index.js';
import type { Notifier } from '../notify/index.js';
import { answerNotification, type AnswerResult } from './answers.js';
import { createAttentionFeed } from './attention.js';
import { draftFromHook, hookVerdict } from './hooks/drafts.js';
import { readAgentEvent, type AgentSignal } from './hooks/signals.js';
import type { SessionService } from '../session/index.js';
import { createTmuxReader, type Tmux } from '../tmux/index.js';
import { createInjectionService, type InjectionService } from './act/injection-service.js';
import { createInsightStore, toInsight, type InsightStore } from './insights.js';
import { createMonitor, type Monitor, type MonitorOptions } from './monitor.js';
import { createProcReader } from './detect/proc.js';
import { createOrchestratorStore, inScope, loadFolderParents, type OrchestratorRow, type OrchestratorStore } from './store.js';

export interface OrchestratorServiceDeps {
  db: Db;
  tmux: Tmux;
  events: EventBus;
  folders: FolderService;
  sessions: SessionService;
  log: Logger;
  /** Settings of new orchestrators unless the request gives them (config [monitoring]). */
  defaults: { intervalSeconds: number; stallThresholdSeconds: number };
  monitor?: MonitorOptions;
  /** How the monitor talks to tmux: 'auto' (control mode, else spawn), or forced. */
  readerMode?: 'auto' | 'control' | 'exec';
  /** Injections per session per minute (manual and automatic together). */
  injectPerMinute?: number;
  /** Where insights become notifications (Web Push, webhook, the notification centre); none without it. */
  notifier?: Notifier | null;
}

/** Who asks, for the audit log. */
export interface Actor {
  userId: string;
  tokenId: string | null;
  authMethod: string;
}

/**
 * Orchestrators, their monitoring, insights and injection. Every call is scoped to a user;
 * another user's orchestrator, insight or session is not_found. The caller disposes.
 */
export interface OrchestratorService extends Pick<InjectionService, 'inject'> {
  list(userId: string): Orchestrator[];
  get(userId: string, id: string): Orchestrator;
  /**
   * Makes the user's Master Control, monitoring, unless they have one or deleted theirs
   * (turning it off is theirs to keep). Idempotent; the api calls it for the owner at start
   * and for each user it admits. Returns the live one, if any.
   */
  ensureMaster(userId: string): Orchestrator | null;
  /** Master Control is made on first use and returned as it is afterwards; a folder has at most one (conflict). */
  create(userId: string, input: CreateOrchestrator): { orchestrator: Orchestrator; created: boolean };
  update(userId: string, id: string, patch: UpdateOrchestrator): Orchestrator;
  /** Stops its monitoring and deletes it; idempotent (deleting it again answers the same). Another user's is not_found. */
  delete(userId: string, id: string): { id: string; deleted: boolean };
  startMonitoring(userId: string, id: string): Promise<MonitoringStatus>;
  stopMonitoring(userId: string, id: string): MonitoringStatus;
  monitoringStatus(userId: string, id: string): MonitoringStatus;
  stalledSessions(userId: string, id: string): StalledSession[];
  /** Insights about the sessions an orchestrator covers, newest first. */
  insights(userId: string, id: string, query: ListInsightsQuery): Insight[];
  /** All of the user's insights, newest first. */
  listInsights(userId: string, query: ListInsightsQuery): Insight[];
  /** Idempotent. */
  resolveInsight(userId: string, id: string): Insight;
  /**
   * One event from the session's own hook (`rdv hook`): keeps the agent's native session id,
   * sets the session's state (outranking the screen for a while), opens or resolves the
   * insight it calls for, and publishes `agent.state` when the state changes. The caller
   * has checked the session's hook credential.
   */
  reportAgentEvent(userId: string, sessionId: string, event: AgentEvent): { recognised: boolean; state: AgentState | null };
  /** Answers the agent with a notification's action token (see answers.ts). */
  answerNotification(actor: Actor, token: string): Promise<AnswerResult>;
  /**
   * An agent asks for its human (MCP request_attention): the session waits for them with
   * this message, which notifies like a question. The session must be the user's and open.
   */
  requestAttention(userId: string, sessionId: string, message: string): Insight;
  /** Resumes monitoring left on before a restart. */
  start(): void;
  readonly monitor: Monitor;
  dispose(): Promise<void>;
}

/**
 * Builds the orchestrator service; nothing runs until start() (which resumes monitoring
 * left on). The caller disposes it, before the database.
 */
export function createOrchestratorService(deps: OrchestratorServiceDeps): OrchestratorService {
  const { db, log } = deps;
  const store: OrchestratorStore = createOrchestratorStore(db, deps.defaults);
  const feed = deps.notifier ? createAttentionFeed({ db, notifier: deps.notifier, log }) : null;
  const insightStore: InsightStore = createInsightStore(db, deps.events, feed);
  let monitor: Monitor | null = null;
  const proc = createProcReader();
  const injection = createInjectionService({
    db,
    tmux: deps.tmux,
    sessions: deps.sessions,
    store,
    log,
    perMinute: deps.injectPerMinute ?? 30,
    noteInjection: (sessionId, at) => monitor?.noteInjection(sessionId, at),
  });
  monitor = createMonitor({
    db,
    orchestrators: store,
    insights: insightStore,
    proc,
    createReader: () =>
      createTmuxReader({ tmux: deps.tmux, log: log.child({ component: 'tmux-reader' }), mode: deps.readerMode, withCommand: !proc.available }),
    intervene: (target, action) => injection.intervene(target, action),
    log,
    options: deps.monitor,
  });
  const mon = monitor;

  const sessionsInScope = (userId: string, o: OrchestratorRow): string[] | undefined => {
    if (o.kind === 'master') return undefined;
    const parents = loadFolderParents(db, [userId]);
    return db
      .select({ id: schema.sessions.id, folderId: schema.sessions.folderId })
      .from(schema.sessions)
      .where(eq(schema.sessions.userId, userId))
      .all()
      .filter((s) => inScope(o, s.folderId, parents))
      .map((s) => s.id);
  };

  const tracked = (userId: string, o: OrchestratorRow) => {
    const parents = loadFolderParents(db, [userId]);
    return mon.sessions().filter((s) => s.target.userId === userId && inScope(o, s.target.folderId, parents));
  };

  const status = (userId: string, o: OrchestratorRow): MonitoringStatus => {
    const at = Date.now();
    const list = tracked(userId, o);
    const counts = Object.fromEntries(SESSION_STATES.map((s) => [s, 0])) as Record<SessionState, number>;
    for (const s of list) counts[s.state]++;
    return {
      orchestratorId: o.id,
      monitoring: o.monitoring,
      running: o.monitoring && mon.running,
      method: o.monitoring ? mon.method : null,
      intervalSeconds: o.intervalSeconds,
      stallThresholdSeconds: o.stallThresholdSeconds,
      lastScanAt: mon.lastScanAt ? new Date(mon.lastScanAt).toISOString() : null,
      counts,
      sessions: list.map((s) => ({
        sessionId: s.target.sessionId,
        name: s.target.name,
        folderId: s.target.folderId,
        agent: s.target.agent,
        state: s.state,
        reason: s.reason,
        since: new Date(s.since).toISOString(),
        lastOutputAt: new Date(s.lastOutputAt).toISOString(),
        quietSeconds: Math.max(0, Math.floor((at - s.lastOutputAt) / 1000)),
        orchestratorId: s.target.orchestrator.id,
      })),
    };
  };

  // The last agent.state published per session, so a burst of tool events is one event.
  const lastState = new Map<string, string>();

  const setMonitoring = (userId: string, id: string, on: boolean): OrchestratorRow => {
    const o = store.row(userId, id);
    const next = o.monitoring === on ? o : store.update(o.id, { monitoring: on });
    if (next !== o) {
      log.info({ orchestratorId: o.id, monitoring: on }, on ? 'orchestrator monitoring on' : 'orchestrator monitoring off');
      deps.events.publish(userId, 'orchestrator.updated', { orchestrator: store.toPublic(next) });
    }
    mon.refresh();
    return next;
  };

  return {
    monitor: mon,
    inject: (actor, orchestratorId, input) => injection.inject(actor, orchestratorId, input),
    list: (userId) => store.list(userId),
    get: (userId, id) => store.toPublic(store.row(userId, id)),
    ensureMaster(userId) {
      const existing = store.master(userId);
      if (existing) return store.toPublic(existing);
      if (store.everHadMaster(userId)) return null;
      const row = store.insert({ userId, kind: 'master', folderId: null, monitoring: true });
      log.info({ orchestratorId: row.id, userId }, 'Master Control created, monitoring');
      mon.refresh();
      const orchestrator = store.toPublic(row);
      deps.events.publish(userId, 'orchestrator.updated', { orchestrator });
      return orchestrator;
    },
    create(userId, input) {
      if (input.kind === 'master') {
        const existing = store.master(userId);
        if (existing) return { orchestrator: store.toPublic(existing), created: false };
      } else {
        deps.folders.get(userId, input.folderId!);
        const existing = store.forFolder(userId, input.folderId!);
        if (existing) throw new AppError('conflict', `this folder already has an orchestrator (${existing.id}); change it with PATCH`);
      }
      const row = store.insert({ ...input, userId, folderId: input.kind === 'folder' ? input.folderId! : null });
      log.info({ orchestratorId: row.id, kind: row.kind }, 'orchestrator created');
      return { orchestrator: store.toPublic(row), created: true };
    },
    update(userId, id, patch) {
      const o = store.row(userId, id);
      return store.toPublic(store.update(o.id, patch));
    },
    delete(userId, id) {
      const o = store.rowOrTombstone(userId, id);
      if (!o.deletedAt) {
        store.delete(o.id);
        mon.refresh();
        log.info({ orchestratorId: o.id }, 'orchestrator deleted');
      }
      return { id: o.id, deleted: true };
    },
    async startMonitoring(userId, id) {
      const o = setMonitoring(userId, id, true);
      await mon.tick();
      return status(userId, o);
    },
    stopMonitoring: (userId, id) => status(userId, setMonitoring(userId, id, false)),
    monitoringStatus: (userId, id) => status(userId, store.row(userId, id)),
    stalledSessions(userId, id) {
      const o = store.row(userId, id);
      const at = Date.now();
      const stalled = tracked(userId, o).filter((s) => s.state === 'stalled');
      return stalled.map((s) => ({
        sessionId: s.target.sessionId,
        name: s.target.name,
        folderId: s.target.folderId,
        agent: s.target.agent,
        lastOutputAt: new Date(s.lastOutputAt).toISOString(),
        quietSeconds: Math.max(0, Math.floor((at - s.lastOutputAt) / 1000)),
        stalledSince: new Date(s.since).toISOString(),
        insightId:
          db
            .select({ id: schema.insights.id })
            .from(schema.insights)
            .where(and(eq(schema.insights.sessionId, s.target.sessionId), eq(schema.insights.type, 'stalled'), eq(schema.insights.resolved, false)))
            .get()?.id ?? null,
      }));
    },
    insights(userId, id, query) {
      const o = store.row(userId, id);
      return insightStore.list(userId, { ...query, sessionIds: sessionsInScope(userId, o) });
    },
    listInsights: (userId, query) => insightStore.list(userId, query),
    resolveInsight: (userId, id) => insightStore.resolveForUser(userId, id),
    answerNotification: (actor, token) => answerNotification({ db, insights: insightStore, store, inject: injection.inject }, actor, token),
    requestAttention(userId, sessionId, message) {
      const session = deps.sessions.get(userId, sessionId);
      if (session.status !== 'active') throw new AppError('conflict', `session ${session.name} is ${session.status}`);
      const signal: AgentSignal = { kind: 'question', message, options: [] };
      const draft = draftFromHook(signal, { sessionName: session.name, agent: session.agent })!;
      draft.context = { ...draft.context, reason: 'requested' };
      draft.message = `${session.name} asks for you: ${message}`;
      // Watched: the monitor keeps it against the screen for a while; not watched, it is recorded all the same.
      mon.applyHook(sessionId, signal);
      const open = insightStore.open(sessionId).find((r) => r.type === 'waiting_input');
      const orchestratorId = open?.orchestratorId ?? store.master(userId)?.id ?? null;
      if (open) return insightStore.update(open, orchestratorId, draft) ?? toInsight(open, session.name);
      return insightStore.create(userId, orchestratorId, sessionId, draft);
    },
    reportAgentEvent(userId, sessionId, event) {
      const read = readAgentEvent(event.agent, event.event);
      if (read.agentSessionId) {
        const session = deps.sessions.get(userId, sessionId);
        // The first id seen is kept; a new conversation (SessionStart after /clear, a resume) replaces it.
        if (read.starts || !session.agentSessionId) deps.sessions.noteAgentSession(userId, sessionId, read.agentSessionId);
      }
      const applied = mon.applyHook(sessionId, read.signal);
      const v = applied?.verdict ?? hookVerdict(read.signal);
      if (!v) return { recognised: read.signal.kind !== 'none', state: null };
      const state: AgentState = { sessionId, state: v.state, reason: v.reason, source: 'hook', message: v.message, at: new Date().toISOString() };
      const key = `${v.state}|${v.reason}|${v.message ?? ''}`;
      if (lastState.get(sessionId) !== key) {
        if (lastState.size > 10_000) lastState.clear();
        lastState.set(sessionId, key);
        deps.events.publish(userId, 'agent.state', { state });
      }
      return { recognised: true, state };
    },
    start() {
      mon.refresh();
    },
    dispose: () => mon.dispose(),
  };
}
