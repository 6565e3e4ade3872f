import type { InsightType, SessionState } from '../../schemas/index.js';
import { classify, type ClassifyInput, type Verdict } from './classify.js';
import { freshIntervention, type InterventionState } from '../act/intervention.js';
import { SHELL_NAMES } from './patterns.js';
import { CLOCK_TICKS_PER_SECOND, type ProcReader } from './proc.js';
import { readScreen, type ScreenReading } from './recognise.js';
import type { Target } from '../targets.js';
import type { PaneInfo, TmuxReader } from '../../tmux/index.js';

/** What the monitor remembers about one watched session. */
export interface Tracker {
  target: Target;
  /** Last `window_activity` seen (s); null before the first scan. */
  activitySec: number | null;
  /** The agent's last output (ms), our own injected echo excluded. */
  lastOutputAt: number;
  /** Activity up to this time (ms) is the echo of what we typed. */
  ignoreUntil: number;
  /** The screen changed since it was last captured. */
  dirty: boolean;
  reading: ScreenReading | null;
  capturedAt: number;
  shell: { seenAt: number | null; confirmed: boolean | null; checkedAt: number };
  cpu: { ticks: number; at: number } | null;
  cpuBusy: boolean | null;
  verdict: Verdict;
  since: number;
  /** verdictKey of what the insights reflect; null before the first reconcile. */
  key: string | null;
  /** Per insight type: the episode it is about and whether the user dismissed it. */
  episodes: Map<InsightType, { episode: string; dismissed: boolean }>;
  intervention: InterventionState;
  /** The last state the agent's own hook reported: it outranks the screen while fresh. */
  hook: { state: SessionState; reason: string; message: string | null; at: number } | null;
}

export interface ObserveOptions {
  /** The screen must be still this long before it is read (ms). */
  settleMs: number;
  /** Share of one core the process tree must use, while quiet, to count as busy. */
  busyCpuShare: number;
  /** A shell in front without a visible prompt must stay there this long, in a session at least this old (ms). */
  shellConfirmMs: number;
  /** Lower bound of how long a busy indicator may sit unchanged before it counts as frozen (ms). */
  frozenBusyMinMs: number;
}

/** A tracker for a session seen for the first time: state unknown, screen to be read. */
export function newTracker(target: Target, now: number): Tracker {
  return {
    target,
    activitySec: null,
    lastOutputAt: now,
    ignoreUntil: 0,
    dirty: true,
    reading: null,
    capturedAt: 0,
    shell: { seenAt: null, confirmed: null, checkedAt: 0 },
    cpu: null,
    cpuBusy: null,
    verdict: { state: 'working', reason: 'starting', finding: null, confidence: 0.5, needCpu: false },
    since: now,
    key: null,
    episodes: new Map(),
    intervention: freshIntervention(),
    hook: null,
  };
}

const intervalMs = (tr: Tracker) => tr.target.orchestrator.intervalSeconds * 1000;

/** Folds a new `window_activity` into the tracker; output within our own echo window is not the agent's. */
function noteActivity(tr: Tracker, pane: PaneInfo, now: number): void {
  const at = Math.min(now, pane.activitySec * 1000 + 999);
  if (tr.activitySec === null) {
    tr.activitySec = pane.activitySec;
    tr.lastOutputAt = at;
    return;
  }
  if (pane.activitySec <= tr.activitySec) return;
  tr.activitySec = pane.activitySec;
  tr.dirty = true;
  if (pane.activitySec * 1000 <= tr.ignoreUntil) return;
  tr.lastOutputAt = at;
  tr.cpu = null;
  tr.cpuBusy = null;
}

/** Is the shell back in front? Checked on a new screen, while unconfirmed, and once per interval. */
function checkShell(tr: Tracker, pane: PaneInfo, proc: ProcReader, now: number, o: ObserveOptions): boolean | null {
  const s = tr.shell;
  const due = s.checkedAt < tr.capturedAt || (s.seenAt !== null && !s.confirmed) || now - s.checkedAt >= intervalMs(tr);
  if (!due) return s.confirmed;
  s.checkedAt = now;
  const prompt = tr.reading?.shellPrompt === true;
  const inFront = proc.available ? proc.shellInForeground(pane.panePid) === true : SHELL_NAMES.has(pane.command ?? '') && prompt;
  if (!inFront) {
    s.seenAt = null;
    s.confirmed = false;
    return false;
  }
  s.seenAt ??= now;
  // A visible prompt confirms at once; otherwise wait, so a shell still starting up
  // (before it has read the agent's command) is not taken for an agent that exited.
  const waited = now - s.seenAt >= o.shellConfirmMs && now - tr.target.createdAt >= 2 * o.shellConfirmMs;
  s.confirmed = prompt || waited ? true : null;
  return s.confirmed;
}

/** Samples the process tree's CPU when a verdict needs it. Returns true when cpuBusy was (re)decided. */
function sampleCpu(tr: Tracker, pane: PaneInfo, proc: ProcReader, now: number, o: ObserveOptions): boolean {
  if (!proc.available) {
    // Without /proc silence alone has to decide.
    tr.cpuBusy = false;
    return true;
  }
  const due = !tr.cpu || now - tr.cpu.at >= (tr.cpuBusy === null ? 900 : Math.min(intervalMs(tr), 30_000));
  if (!due) return false;
  const ticks = proc.treeCpuTicks(pane.panePid);
  if (ticks === null) return false;
  const prev = tr.cpu;
  tr.cpu = { ticks, at: now };
  if (!prev) return false;
  const share = (ticks - prev.ticks) / CLOCK_TICKS_PER_SECOND / ((now - prev.at) / 1000);
  tr.cpuBusy = share >= o.busyCpuShare;
  return true;
}

/**
 * One look at a session: note output, read the screen once it has settled, check who is
 * in front and (only when silence is about to matter) the CPU, and classify. Throws when
 * tmux fails (a pane that vanished).
 */
export async function observe(
  tr: Tracker,
  pane: PaneInfo,
  deps: { reader: TmuxReader; proc: ProcReader; now: () => number },
  o: ObserveOptions,
): Promise<Verdict> {
  let now = deps.now();
  noteActivity(tr, pane, now);
  const screenAt = Math.min(now, (tr.activitySec ?? 0) * 1000 + 999);
  if (tr.dirty && now - screenAt >= o.settleMs) {
    const screen = await deps.reader.capture(pane.paneId);
    now = deps.now();
    tr.reading = readScreen(screen, tr.target.agent);
    tr.dirty = false;
    tr.capturedAt = now;
  }
  // The agent is quiet when it has printed nothing for a moment; the echo of what we typed
  // may still be settling on the screen, which is no reason to call it working.
  const settled = now - tr.lastOutputAt >= o.settleMs;
  const thresholdMs = tr.target.orchestrator.stallThresholdSeconds * 1000;
  const input: ClassifyInput = {
    reading: tr.reading,
    quietMs: now - tr.lastOutputAt,
    settled,
    atShell: settled ? checkShell(tr, pane, deps.proc, now, o) : null,
    cpuBusy: tr.cpuBusy,
    stallThresholdMs: thresholdMs,
    frozenBusyMs: Math.max(10 * thresholdMs, o.frozenBusyMinMs),
  };
  let verdict = classify(input);
  if (verdict.needCpu && sampleCpu(tr, pane, deps.proc, now, o)) verdict = classify({ ...input, cpuBusy: tr.cpuBusy });
  return verdict;
}
