import type { EscalationStep } from './rules.js';

/** Where auto-intervention stands for one session. */
export interface InterventionState {
  step: EscalationStep;
  /** When the last step was taken (ms). */
  at: number;
  /** When nudges were sent, for the hourly cap. */
  nudges: number[];
}

export type InterventionAction = 'nudge' | 'escape' | 'raise';

export const MAX_NUDGES_PER_HOUR = 3;
const HOUR_MS = 3_600_000;

export const freshIntervention = (): InterventionState => ({ step: 0, at: 0, nudges: [] });

/**
 * The next step for a stalled agent: nudge with the configured text, then (a stall
 * threshold later, still silent) Esc, then (another threshold later) raise the insight's
 * severity — and nothing after that: it never loops. An agent that keeps stalling right
 * after each nudge gets at most MAX_NUDGES_PER_HOUR before the escalation goes straight
 * to raising. Pure; the monitor does the sending.
 */
export function nextIntervention(
  s: InterventionState,
  now: number,
  stallThresholdMs: number,
): { action: InterventionAction | null; state: InterventionState } {
  const nudges = s.nudges.filter((t) => now - t < HOUR_MS);
  const waited = now - s.at >= stallThresholdMs;
  if (s.step === 0) {
    if (nudges.length >= MAX_NUDGES_PER_HOUR) return { action: 'raise', state: { step: 3, at: now, nudges } };
    return { action: 'nudge', state: { step: 1, at: now, nudges: [...nudges, now] } };
  }
  if (s.step === 1 && waited) return { action: 'escape', state: { step: 2, at: now, nudges } };
  if (s.step === 2 && waited) return { action: 'raise', state: { step: 3, at: now, nudges } };
  return { action: null, state: { ...s, nudges } };
}

/** After the agent moved on: steps start over, the nudge history stays. */
export const resetIntervention = (s: InterventionState): InterventionState => (s.step === 0 ? s : { step: 0, at: 0, nudges: s.nudges });
