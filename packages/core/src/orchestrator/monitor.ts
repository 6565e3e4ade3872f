import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import { DEFAULT_NUDGE_TEXT, type SessionState } from '../schemas/index.js';
import type { Verdict, VerdictReason } from './detect/classify.js';
import type { InsightDraft, InsightStore } from './insights.js';
import { draftFromHook, hookKey, hookVerdict, type HookVerdict } from './hooks/drafts.js';
import { screenMayOverride } from './hooks/precedence.js';
import type { AgentSignal } from './hooks/signals.js';
import { nextIntervention, resetIntervention, type InterventionAction } from './act/intervention.js';
import type { ProcReader } from './detect/proc.js';
import { draftInsight, verdictKey } from './act/rules.js';
import type { OrchestratorStore } from './store.js';
import { createTargetLoader, type Target } from './targets.js';
import type { MonitorMethod, TmuxReader } from '../tmux/index.js';
import { newTracker, observe, type ObserveOptions, type Tracker } from './detect/tracker.js';

export interface MonitorOptions extends Partial<ObserveOptions> {
  /** How often tmux's activity timestamps are read (ms); changes are noticed this fast. */
  tickMs?: number;
  /** Typing we did shows up as output for this long (ms) and is not the agent's. */
  echoMs?: number;
  now?: () => number;
  /** Told how long each scan took (ms), failed ones too: the metrics' scan time. */
  onScan?: (durationMs: number) => void;
}

export interface MonitorDeps {
  db: Db;
  orchestrators: OrchestratorStore;
  insights: InsightStore;
  proc: ProcReader;
  /** Makes a reader when the loop starts; disposed when it stops. */
  createReader: () => TmuxReader;
  /** Sends a nudge or Esc on the orchestrator's behalf; resolves false when nothing was sent. */
  intervene: (target: Target, action: Exclude<InterventionAction, 'raise'>) => Promise<boolean>;
  log: Logger;
  options?: MonitorOptions;
}

/** A watched session as status reports show it. */
export interface TrackedSession {
  target: Target;
  state: SessionState;
  reason: string;
  since: number;
  lastOutputAt: number;
}

/** One loop for all users' watched sessions. Owns a TmuxReader while running; dispose() stops it. */
export interface Monitor {
  /** Starts or stops the loop to match whether any orchestrator is monitoring. */
  refresh(): void;
  readonly running: boolean;
  readonly method: MonitorMethod | null;
  readonly lastScanAt: number | null;
  sessions(): TrackedSession[];
  /** We typed into this session: its echo is not the agent's output. */
  noteInjection(sessionId: string, at: number): void;
  /**
   * What the agent's own hook reported: its state (outranking the screen for a while) and
   * the insight it calls for. Null when the session is not watched (monitoring off) or the
   * signal says nothing about the state.
   */
  applyHook(sessionId: string, signal: AgentSignal): { target: Target; verdict: HookVerdict } | null;
  /** One scan now (also what the timer runs). */
  tick(): Promise<void>;
  dispose(): Promise<void>;
}

const CLEANUP_EVERY_MS = 30_000;

/** Creates the monitor, stopped: refresh() starts it when some orchestrator is monitoring. The caller disposes. */
export function createMonitor(deps: MonitorDeps): Monitor {
  const { db, insights, orchestrators, log } = deps;
  const opt = deps.options ?? {};
  const now = opt.now ?? Date.now;
  const tickMs = opt.tickMs ?? 1000;
  const echoMs = opt.echoMs ?? 1500;
  const observeOptions: ObserveOptions = {
    settleMs: opt.settleMs ?? 1000,
    busyCpuShare: opt.busyCpuShare ?? 0.05,
    shellConfirmMs: opt.shellConfirmMs ?? 2000,
    frozenBusyMinMs: opt.frozenBusyMinMs ?? 600_000,
  };
  const loadTargets = createTargetLoader(db);
  const trackers = new Map<string, Tracker>();
  let reader: TmuxReader | null = null;
  let running = false;
  let disposed = false;
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;
  let lastScanAt: number | null = null;
  let lastCleanupAt = 0;
  let lastFailureLogAt = 0;

  const resolveOpen = (sessionId: string, reason: string) => {
    for (const row of insights.open(sessionId)) insights.resolve(row, 'auto', reason);
  };

  /** Brings the session's open insights in line with the verdict. */
  const reconcile = (tr: Tracker, v: Verdict) => {
    const t = tr.target;
    const draft = draftInsight(v, {
      sessionName: t.name,
      agent: t.agent,
      reading: tr.reading,
      quietMs: now() - tr.lastOutputAt,
      lastOutputAt: tr.lastOutputAt,
      escalation: tr.intervention.step,
      nudgeText: t.orchestrator.nudgeText ?? DEFAULT_NUDGE_TEXT,
    });
    applyDraft(tr, draft, verdictKey(v, tr.reading, 0));
  };

  /** Opens, rewrites or resolves the session's insights to say what `draft` says (null: nothing is wrong). */
  const applyDraft = (tr: Tracker, draft: InsightDraft | null, episode: string) => {
    const t = tr.target;
    const open = insights.open(t.sessionId);
    for (const row of open) if (row.type !== draft?.type) insights.resolve(row, 'auto', 'the session moved on');
    for (const type of [...tr.episodes.keys()]) if (type !== draft?.type) tr.episodes.delete(type);
    if (!draft) return;
    const existing = open.find((r) => r.type === draft.type);
    const known = tr.episodes.get(draft.type);
    if (existing) {
      insights.update(existing, t.orchestrator.id, draft);
    } else if (known?.episode === episode) {
      // Ours was open for this very episode and is gone: the user dismissed it; don't page again.
      known.dismissed = true;
      return;
    } else {
      insights.create(t.userId, t.orchestrator.id, t.sessionId, draft);
    }
    tr.episodes.set(draft.type, { episode, dismissed: false });
  };

  const intervene = async (tr: Tracker, at: number) => {
    const o = tr.target.orchestrator;
    if (!o.autoIntervention || tr.episodes.get('stalled')?.dismissed) return;
    const { action, state } = nextIntervention(tr.intervention, at, o.stallThresholdSeconds * 1000);
    if (action === 'nudge' || action === 'escape') {
      if (!(await deps.intervene(tr.target, action))) return;
      tr.ignoreUntil = now() + echoMs;
      log.info({ sessionId: tr.target.sessionId, action }, 'auto-intervention');
    }
    tr.intervention = state;
  };

  const step = async (tr: Tracker, pane: Parameters<typeof observe>[1]) => {
    const verdict = await observe(tr, pane, { reader: reader!, proc: deps.proc, now }, observeOptions);
    if (verdict.reason === 'pending') return;
    const at = now();
    if (tr.hook) {
      // The agent's own word stands until the screen has more to say (hooks/precedence.ts).
      if (!screenMayOverride(tr, verdict, at)) return;
      tr.hook = null;
    }
    if (verdict.state !== tr.verdict.state) tr.since = at;
    tr.verdict = verdict;
    if (verdict.state === 'stalled') await intervene(tr, at);
    else tr.intervention = resetIntervention(tr.intervention);
    const key = verdictKey(verdict, tr.reading, tr.intervention.step);
    if (key === tr.key) return;
    tr.key = key;
    reconcile(tr, verdict);
  };

  const scan = async () => {
    const targets = loadTargets(orchestrators.monitoring());
    if (!reader) return;
    let panes;
    try {
      panes = await reader.listPanes(targets.map((t) => t.tmuxName));
    } catch (err) {
      if (now() - lastFailureLogAt > 60_000) log.warn({ err }, 'monitoring could not list tmux panes');
      lastFailureLogAt = now();
      return;
    }
    lastScanAt = now();
    const watched = new Set<string>();
    for (const t of targets) {
      watched.add(t.sessionId);
      const pane = panes.get(t.tmuxName);
      if (!pane || pane.dead) continue;
      let tr = trackers.get(t.sessionId);
      if (tr) tr.target = t;
      else trackers.set(t.sessionId, (tr = newTracker(t, now())));
      try {
        await step(tr, pane);
      } catch (err) {
        // A pane that vanished mid-scan; the next scan (or reconcile) sorts it out.
        log.debug({ err, sessionId: t.sessionId }, 'could not observe session');
      }
      if (disposed || !running) return;
    }
    for (const id of [...trackers.keys()]) {
      if (watched.has(id)) continue;
      trackers.delete(id);
      resolveOpen(id, 'the session is no longer watched');
    }
    if (now() - lastCleanupAt >= CLEANUP_EVERY_MS) cleanup([...watched]);
  };

  /** Insights of sessions nobody watches any more (closed, moved, monitoring stopped) resolve. */
  const cleanup = (watched: string[]) => {
    lastCleanupAt = now();
    for (const row of insights.openOutside(watched)) insights.resolve(row, 'auto', 'the session is no longer watched');
  };

  const schedule = () => {
    if (!running || disposed) return;
    timer = setTimeout(() => {
      timer = null;
      void monitor.tick().finally(schedule);
    }, tickMs);
    timer.unref();
  };

  const stop = () => {
    running = false;
    if (timer) clearTimeout(timer);
    timer = null;
    reader?.dispose();
    reader = null;
    trackers.clear();
  };

  const monitor: Monitor = {
    get running() {
      return running;
    },
    get method() {
      return reader?.method ?? null;
    },
    get lastScanAt() {
      return lastScanAt;
    },
    refresh() {
      if (disposed) return;
      const want = orchestrators.monitoring().length > 0;
      if (want && !running) {
        running = true;
        reader = deps.createReader();
        lastCleanupAt = 0;
        log.info('monitoring started');
        void monitor.tick().finally(schedule);
      } else if (!want && running) {
        stop();
        cleanup([]);
        log.info('monitoring stopped');
      }
    },
    sessions: () =>
      [...trackers.values()].map((tr) => ({
        target: tr.target,
        state: tr.verdict.state,
        reason: tr.verdict.reason,
        since: tr.since,
        lastOutputAt: tr.lastOutputAt,
      })),
    applyHook(sessionId, signal) {
      const v = hookVerdict(signal);
      if (!v || !running || disposed) return null;
      let tr = trackers.get(sessionId);
      if (!tr) {
        const target = loadTargets(orchestrators.monitoring()).find((t) => t.sessionId === sessionId);
        if (!target) return null;
        trackers.set(sessionId, (tr = newTracker(target, now())));
      }
      const at = now();
      // A reminder of the prompt the hook already reported (Claude's delayed Notification) changes nothing.
      if ('reminder' in signal && signal.reminder && tr.hook?.reason === v.reason) return { target: tr.target, verdict: tr.hook };
      if (v.state !== tr.verdict.state) tr.since = at;
      tr.verdict = { state: v.state, reason: v.reason as VerdictReason, finding: null, confidence: 1, needCpu: false };
      tr.hook = { ...v, at };
      tr.intervention = resetIntervention(tr.intervention);
      const key = hookKey(v);
      if (key !== tr.key) {
        tr.key = key;
        applyDraft(tr, draftFromHook(signal, { sessionName: tr.target.name, agent: tr.target.agent }), key);
      }
      return { target: tr.target, verdict: v };
    },
    noteInjection(sessionId, at) {
      const tr = trackers.get(sessionId);
      if (tr) tr.ignoreUntil = Math.max(tr.ignoreUntil, at + echoMs);
    },
    tick() {
      if (!running || disposed) return Promise.resolve();
      if (ticking) return ticking;
      const startedAt = performance.now();
      ticking = scan()
        .catch((err: unknown) => log.error({ err }, 'monitoring scan failed'))
        .finally(() => {
          ticking = null;
          opt.onScan?.(performance.now() - startedAt);
        });
      return ticking;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      const pending = ticking;
      stop();
      await pending;
    },
  };
  return monitor;
}
