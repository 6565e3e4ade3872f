import type { SessionState } from '../../schemas/index.js';
import type { Finding, ScreenReading } from './recognise.js';

/** Everything known about one agent session at one moment. */
export interface ClassifyInput {
  /** The last capture of its screen; null before the first one. */
  reading: ScreenReading | null;
  /** Since its last output (its own, not our injected echo). */
  quietMs: number;
  /** The screen has been still for a moment; while it changes the agent is working. */
  settled: boolean;
  /** The shell is back in front (the agent exited), confirmed; null when unknown. */
  atShell: boolean | null;
  /** Its process tree used CPU while quiet; null until sampled. */
  cpuBusy: boolean | null;
  stallThresholdMs: number;
  /** A "working" indicator that has not redrawn in this long no longer counts as work. */
  frozenBusyMs: number;
  /** How long before the threshold CPU sampling starts, so the verdict is ready in time. */
  cpuLeadMs?: number;
}

export type VerdictReason =
  | 'output'
  | 'starting'
  | 'quiet'
  | 'cpu'
  | 'busy'
  | 'compacting'
  | 'permission'
  | 'confirm'
  | 'question'
  | 'ready'
  | 'shell'
  | 'crash'
  | 'error'
  | 'silent'
  | 'frozen'
  | 'pending'
  // Reported by the agent's own hooks:
  | 'started'
  | 'prompt'
  | 'tool'
  | 'answered'
  | 'exited';

export interface Verdict {
  state: SessionState;
  reason: VerdictReason;
  finding: Finding | null;
  confidence: number;
  /** A CPU sample of the process tree decides between working and stalled. */
  needCpu: boolean;
}

/** Busy indicators at least this sure (an agent's own "esc to interrupt" line) count as work while quiet. */
export const STRONG_BUSY = 0.85;

const v = (state: SessionState, reason: VerdictReason, confidence: number, finding: Finding | null = null, needCpu = false): Verdict => ({
  state,
  reason,
  finding,
  confidence,
  needCpu,
});

/**
 * The state of an agent session. Order matters: output in progress means working; a
 * shell back in front means exited (or crashed, if the last output shows an error); a
 * prompt asking for permission or a yes/no wins over a busy indicator; a busy indicator
 * or compaction beats silence; then a question, an error, the agent's own idle input
 * box; only then does silence past the threshold count — and only if the process tree
 * is not using CPU. Pure: the monitor gathers the facts.
 */
export function classify(input: ClassifyInput): Verdict {
  const { reading, quietMs } = input;
  if (!input.settled) return v('working', 'output', 0.9);
  if (input.atShell) {
    return reading?.shellError ? v('errored', 'crash', reading.shellError.confidence, reading.shellError) : v('idle', 'shell', 0.95);
  }
  if (!reading) return v('working', 'starting', 0.5);
  const f = reading.findings;
  // A crash banner below the agent's frozen UI beats the stale spinner above it.
  if (f.error?.patternId.endsWith('.error.crash-below')) return v('errored', 'crash', f.error.confidence, f.error);
  if (f.permission) return v('waiting_input', 'permission', f.permission.confidence, f.permission);
  if (f.confirm) return v('waiting_input', 'confirm', f.confirm.confidence, f.confirm);
  // A selection menu waits for a pick even while the agent shows "esc to cancel" or a spinner.
  if (f.question?.patternId.endsWith('.question.menu')) return v('waiting_input', 'question', f.question.confidence, f.question);
  // Compaction and an agent's own "esc to interrupt" line hold off a stall (until frozen);
  // a bare spinner or "Thinking..." is too easily printed by anything to do that.
  const indicator = f.compacting ?? f.busy ?? null;
  const busy = indicator && (indicator.kind === 'compacting' || indicator.confidence >= STRONG_BUSY) ? indicator : null;
  if (busy) {
    if (quietMs < input.frozenBusyMs) return v('working', busy.kind === 'compacting' ? 'compacting' : 'busy', busy.confidence, busy);
  } else {
    if (f.question) return v('waiting_input', 'question', f.question.confidence, f.question);
    // A bare shell prompt with something else in front (ssh, a nested shell): the agent is gone.
    if (reading.bareShell) return reading.shellError ? v('errored', 'crash', reading.shellError.confidence * 0.8, reading.shellError) : v('idle', 'shell', 0.6);
    if (f.error) return v('errored', 'error', f.error.confidence, f.error);
    if (f.ready) return v('waiting_input', 'ready', f.ready.confidence, f.ready);
  }
  const limit = busy ? input.frozenBusyMs : input.stallThresholdMs;
  const lead = input.cpuLeadMs ?? 1500;
  if (quietMs < limit - lead) return indicator ? v('working', 'busy', indicator.confidence, indicator) : v('working', 'quiet', 0.6);
  if (quietMs < limit) return v('working', 'quiet', 0.6, null, true);
  // Past the threshold but the CPU verdict is not in yet: no change until it is.
  if (input.cpuBusy === null) return v('working', 'pending', 0.5, null, true);
  if (input.cpuBusy) return v('working', 'cpu', 0.85, null, true);
  return v('stalled', busy ? 'frozen' : 'silent', busy ? 0.75 : 0.85, busy, true);
}
