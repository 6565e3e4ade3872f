import type { Verdict } from '../detect/classify.js';
import type { Tracker } from '../detect/tracker.js';

/** A hook's state stands at least this long, whatever the screen shows. */
export const HOOK_HOLD_MS = 10_000;
/** Output this soon after a hook event is the agent drawing what it just reported. */
export const HOOK_GRACE_MS = 2_000;

/**
 * Whether what the monitor sees may replace the state the agent's own hook reported.
 * A hook outranks the screen while it is fresh: reported in the last HOOK_HOLD_MS, or
 * nothing new on the screen since. Two findings are not guesses and always count: the
 * shell back in front (/proc), and silence past the threshold while the hook said
 * "working" (a hung tool reports nothing more).
 */
export function screenMayOverride(tr: Pick<Tracker, 'hook' | 'shell' | 'lastOutputAt'>, v: Verdict, now: number): boolean {
  const h = tr.hook;
  if (!h) return true;
  if (tr.shell.confirmed === true && (v.state === 'idle' || v.state === 'errored')) return true;
  if (v.state === 'stalled' && h.state === 'working') return true;
  const fresh = now - h.at < HOOK_HOLD_MS || tr.lastOutputAt <= h.at + HOOK_GRACE_MS;
  return !fresh;
}
