import type { Logger } from '../log/index.js';
import type { AttentionEvent } from './event.js';
import type { ResolvePreference } from './preferences.js';
import { isQuietAt, type QuietHours } from './quiet-hours.js';

export interface DispatchSettings {
  /** Notifications that may leave per user in any hour. */
  maxPerHour: number;
  /** Repeats for a session within this long of its last notification are folded into one. */
  coalesceMs: number;
  quietHours: QuietHours | null;
  /** IANA zone for quiet hours; undefined = the system's. */
  timeZone?: string;
}

export type KeepReason = 'quiet_hours' | 'rate_limited';
export const HOUR_MS = 3_600_000;

/**
 * Whether a notification may leave now (pure): not in quiet hours, and fewer than
 * maxPerHour sent in the hour before `now`. Otherwise it is only kept (notification centre).
 */
export function decideEmit(now: number, sentAt: readonly number[], settings: DispatchSettings): { send: true } | { send: false; reason: KeepReason } {
  if (isQuietAt(settings.quietHours, new Date(now), settings.timeZone)) return { send: false, reason: 'quiet_hours' };
  const recent = sentAt.filter((t) => now - t < HOUR_MS).length;
  return recent < settings.maxPerHour ? { send: true } : { send: false, reason: 'rate_limited' };
}

/** Whether an event arriving now starts a notification or folds into the session's open window (pure). */
export function decideArrival(now: number, lastEmittedAt: number | undefined, coalesceMs: number): 'emit' | 'fold' {
  return lastEmittedAt !== undefined && now - lastEmittedAt < coalesceMs ? 'fold' : 'emit';
}

export type DispatchOutcome =
  | { kind: 'sent'; count: number }
  | { kind: 'kept'; reason: KeepReason; count: number }
  | { kind: 'folded'; count: number }
  | { kind: 'disabled' };

export interface DispatcherDeps {
  settings: DispatchSettings;
  resolvePreference: ResolvePreference;
  /** Delivers outward (push, webhook) and to the notification centre. `count`: events it stands for. */
  send(event: AttentionEvent, info: { count: number }): void | Promise<void>;
  /** Records in the notification centre only. */
  keep(event: AttentionEvent, info: { count: number; reason: KeepReason }): void | Promise<void>;
  log: Logger;
  now?: () => number;
}

export interface Dispatcher {
  /** Decides and acts on one event; never throws for a failing channel (it is logged). */
  notify(event: AttentionEvent): Promise<DispatchOutcome>;
  /** Drops what is folded and waiting for a session (it moved on). */
  discard(userId: string, sessionId: string): void;
  /** Stops the flush timers; what is folded and waiting is dropped. Idempotent. */
  dispose(): void;
}

interface Slot {
  lastEmittedAt: number;
  folded: number;
  latest: AttentionEvent | null;
  timer: NodeJS.Timeout | null;
}

/**
 * Decides which attention events notify: the per-type preference (folder → parent → user),
 * then per session the first at once and repeats within the coalescing window folded into
 * one sent when the window ends, then quiet hours and the hourly cap per user. State is in
 * memory: a restart starts every window afresh.
 */
export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const now = deps.now ?? Date.now;
  const log = deps.log.child({ component: 'notify' });
  const slots = new Map<string, Slot>();
  const sent = new Map<string, number[]>();
  let disposed = false;

  const keyOf = (userId: string, sessionId: string) => `${userId}\u0000${sessionId}`;

  const emit = async (event: AttentionEvent, count: number): Promise<DispatchOutcome> => {
    const at = now();
    const history = (sent.get(event.userId) ?? []).filter((t) => at - t < HOUR_MS);
    const decision = decideEmit(at, history, deps.settings);
    try {
      if (decision.send) {
        history.push(at);
        sent.set(event.userId, history);
        await deps.send(event, { count });
        return { kind: 'sent', count };
      }
      await deps.keep(event, { count, reason: decision.reason });
      return { kind: 'kept', reason: decision.reason, count };
    } catch (err) {
      // A channel's failure must not reach the monitor that reported the event.
      log.error({ err, sessionId: event.sessionId, type: event.type }, 'notification delivery failed');
      return decision.send ? { kind: 'sent', count } : { kind: 'kept', reason: decision.reason, count };
    }
  };

  const flush = (key: string) => {
    const slot = slots.get(key);
    if (!slot || disposed) return;
    slot.timer = null;
    const { latest, folded } = slot;
    if (!latest || folded === 0) {
      slots.delete(key);
      return;
    }
    slot.latest = null;
    slot.folded = 0;
    slot.lastEmittedAt = now();
    // The fold is one notification and opens a window of its own, so a burst stays a trickle.
    slot.timer = setTimeout(() => flush(key), deps.settings.coalesceMs);
    slot.timer.unref?.();
    void emit(latest, folded);
  };

  const prune = (at: number) => {
    for (const [key, slot] of slots) if (!slot.timer && at - slot.lastEmittedAt >= deps.settings.coalesceMs) slots.delete(key);
    for (const [userId, times] of sent) if (times.every((t) => at - t >= HOUR_MS)) sent.delete(userId);
  };

  return {
    async notify(event) {
      if (disposed) return { kind: 'disabled' };
      const folderIds = event.folders.map((f) => f.id).reverse();
      const enabled = await deps.resolvePreference({ userId: event.userId, folderIds, type: event.type });
      if (!enabled) return { kind: 'disabled' };
      const at = now();
      if (slots.size > 1000) prune(at);
      const key = keyOf(event.userId, event.sessionId);
      const slot = slots.get(key);
      if (slot && decideArrival(at, slot.lastEmittedAt, deps.settings.coalesceMs) === 'fold') {
        slot.folded += 1;
        slot.latest = event;
        if (!slot.timer) {
          slot.timer = setTimeout(() => flush(key), Math.max(0, slot.lastEmittedAt + deps.settings.coalesceMs - at));
          slot.timer.unref?.();
        }
        return { kind: 'folded', count: slot.folded };
      }
      // A window that ended before its timer ran still owes its folded events: they ride along.
      if (slot?.timer) clearTimeout(slot.timer);
      slots.set(key, { lastEmittedAt: at, folded: 0, latest: null, timer: null });
      return emit(event, 1 + (slot?.folded ?? 0));
    },
    discard(userId, sessionId) {
      const key = keyOf(userId, sessionId);
      const slot = slots.get(key);
      if (!slot) return;
      slot.folded = 0;
      slot.latest = null;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const slot of slots.values()) if (slot.timer) clearTimeout(slot.timer);
      slots.clear();
      sent.clear();
    },
  };
}
