import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { testLogger } from '../testing/index.js';
import type { AttentionType } from '../schemas/index.js';
import { createDispatcher, decideArrival, decideEmit, HOUR_MS, type DispatchSettings } from './dispatcher.js';
import type { AttentionEvent } from './event.js';
import { createPreferenceResolver, inheritPreference, type ResolvePreference } from './preferences.js';
import { isQuietAt, minutesInZone, parseQuietHours } from './quiet-hours.js';

const USER = 'u1';
const event = (over: Partial<AttentionEvent> = {}): AttentionEvent => ({
  userId: USER,
  type: 'permission',
  sessionId: 's1',
  sessionName: 'build',
  folders: [],
  message: 'Bash: npm test',
  ...over,
});

const settings = (over: Partial<DispatchSettings> = {}): DispatchSettings => ({ maxPerHour: 100, coalesceMs: 60_000, quietHours: null, ...over });

function setup(over: Partial<DispatchSettings> = {}, resolvePreference: ResolvePreference = () => true) {
  const sent: Array<{ event: AttentionEvent; count: number }> = [];
  const kept: Array<{ event: AttentionEvent; count: number; reason: string }> = [];
  const d = createDispatcher({
    settings: settings(over),
    resolvePreference,
    log: testLogger(),
    send: (e, { count }) => void sent.push({ event: e, count }),
    keep: (e, { count, reason }) => void kept.push({ event: e, count, reason }),
  });
  return { d, sent, kept };
}

describe('quiet hours', () => {
  it('parse "HH:MM-HH:MM", treat "" and an empty range as never, and refuse anything else', () => {
    expect(parseQuietHours('22:00-07:30')).toEqual({ startMin: 1320, endMin: 450 });
    expect(parseQuietHours('')).toBeNull();
    expect(parseQuietHours('08:00-08:00')).toBeNull();
    for (const bad of ['22-07', '24:00-01:00', '22:00 - 07:00', '7:00-9:00']) expect(() => parseQuietHours(bad)).toThrow(/HH:MM-HH:MM/);
  });

  it('wrap past midnight and follow the time zone', () => {
    const q = parseQuietHours('22:00-07:00');
    const at = (iso: string) => new Date(iso);
    expect(isQuietAt(q, at('2026-03-10T23:30:00Z'), 'UTC')).toBe(true);
    expect(isQuietAt(q, at('2026-03-10T06:59:00Z'), 'UTC')).toBe(true);
    expect(isQuietAt(q, at('2026-03-10T07:00:00Z'), 'UTC')).toBe(false);
    expect(isQuietAt(q, at('2026-03-10T12:00:00Z'), 'UTC')).toBe(false);
    // 23:30 UTC is 08:30 the next morning in Tokyo and 18:30 (EST) in New York.
    expect(isQuietAt(q, at('2026-03-10T23:30:00Z'), 'Asia/Tokyo')).toBe(false);
    expect(isQuietAt(q, at('2026-03-10T23:30:00Z'), 'America/New_York')).toBe(false);
    expect(minutesInZone(at('2026-07-10T02:15:00Z'), 'America/New_York')).toBe(22 * 60 + 15);
    expect(isQuietAt(parseQuietHours('09:00-17:00'), at('2026-03-10T12:00:00Z'), 'UTC')).toBe(true);
    expect(isQuietAt(null, at('2026-03-10T23:30:00Z'), 'UTC')).toBe(false);
  });
});

describe('preferences', () => {
  it('the nearest layer that sets a type wins; none set means on', () => {
    expect(inheritPreference([{ stalled: false }, { stalled: true }], 'stalled')).toBe(false);
    expect(inheritPreference([undefined, { permission: true }, { permission: false }], 'permission')).toBe(true);
    expect(inheritPreference([null, {}], 'exited')).toBe(true);
  });

  it('a resolver over stored preferences walks folder → parent → user and ignores malformed values', () => {
    const folders: Record<string, Record<string, unknown>> = {
      child: { notifications: { question: true } },
      parent: { notifications: { question: false, turn_finished: false } },
      broken: { notifications: { stalled: 'no' } },
    };
    const user = { notifications: { turn_finished: true, exited: false } };
    const resolve = createPreferenceResolver({ folder: (_u, id) => folders[id], user: () => user });
    const ask = (type: AttentionType, folderIds: string[]) => resolve({ userId: USER, folderIds, type });
    expect(ask('question', ['child', 'parent'])).toBe(true);
    expect(ask('question', ['parent'])).toBe(false);
    expect(ask('turn_finished', ['child', 'parent'])).toBe(false);
    expect(ask('turn_finished', [])).toBe(true);
    expect(ask('exited', ['child', 'parent'])).toBe(false);
    expect(ask('stalled', ['broken'])).toBe(true);
  });
});

describe('decisions (pure)', () => {
  it('fold within the window, emit after it', () => {
    expect(decideArrival(1000, undefined, 60_000)).toBe('emit');
    expect(decideArrival(60_999, 1000, 60_000)).toBe('fold');
    expect(decideArrival(61_000, 1000, 60_000)).toBe('emit');
    expect(decideArrival(1000, 1000, 0)).toBe('emit');
  });

  it('keep instead of send in quiet hours or past the hourly cap', () => {
    const noon = Date.parse('2026-03-10T12:00:00Z');
    const s = settings({ maxPerHour: 2, quietHours: parseQuietHours('11:00-13:00'), timeZone: 'UTC' });
    expect(decideEmit(noon, [], s)).toEqual({ send: false, reason: 'quiet_hours' });
    const later = Date.parse('2026-03-10T15:00:00Z');
    expect(decideEmit(later, [later - 10, later - 20], s)).toEqual({ send: false, reason: 'rate_limited' });
    expect(decideEmit(later, [later - 10, later - HOUR_MS], s)).toEqual({ send: true });
  });
});

describe('dispatcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-03-10T12:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('sends the first notification for a session at once and folds repeats into one at the end of the window', async () => {
    const { d, sent } = setup();
    expect(await d.notify(event())).toEqual({ kind: 'sent', count: 1 });
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await d.notify(event({ message: 'second' }))).toEqual({ kind: 'folded', count: 1 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await d.notify(event({ message: 'third' }))).toEqual({ kind: 'folded', count: 2 });
    // Another session is not held back by the first one's window.
    expect(await d.notify(event({ sessionId: 's2' }))).toEqual({ kind: 'sent', count: 1 });
    expect(sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(39_999);
    expect(sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(3);
    expect(sent[2]).toMatchObject({ count: 2, event: { message: 'third', sessionId: 's1' } });
    // The fold opened a window of its own: the next repeat waits for it.
    expect(await d.notify(event({ message: 'fourth' }))).toEqual({ kind: 'folded', count: 1 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sent.map((s) => [s.event.sessionId, s.event.message, s.count])).toEqual([
      ['s1', 'Bash: npm test', 1],
      ['s2', 'Bash: npm test', 1],
      ['s1', 'third', 2],
      ['s1', 'fourth', 1],
    ]);
    // A quiet window ends the cycle: the next event goes out at once.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await d.notify(event({ message: 'fifth' }))).toEqual({ kind: 'sent', count: 1 });
    d.dispose();
  });

  it('does nothing for a type turned off for the session\'s folder, asking with the folder chain nearest first', async () => {
    const asked: unknown[] = [];
    const { d, sent, kept } = setup({}, (q) => {
      asked.push(q);
      return q.type !== 'turn_finished';
    });
    const folders = [{ id: 'root', name: 'work' }, { id: 'leaf', name: 'rdv' }];
    expect(await d.notify(event({ type: 'turn_finished', folders }))).toEqual({ kind: 'disabled' });
    expect(asked).toEqual([{ userId: USER, folderIds: ['leaf', 'root'], type: 'turn_finished' }]);
    expect(sent).toEqual([]);
    expect(kept).toEqual([]);
    // A disabled event does not open a window either.
    expect(await d.notify(event({ type: 'permission', folders }))).toEqual({ kind: 'sent', count: 1 });
    d.dispose();
  });

  it('keeps (centre only) during quiet hours in the configured zone', async () => {
    const { d, sent, kept } = setup({ quietHours: parseQuietHours('22:00-07:00'), timeZone: 'Asia/Tokyo' });
    // 12:00 UTC is 21:00 in Tokyo: not yet quiet.
    expect(await d.notify(event())).toEqual({ kind: 'sent', count: 1 });
    await vi.advanceTimersByTimeAsync(HOUR_MS);
    expect(await d.notify(event({ sessionId: 's2' }))).toEqual({ kind: 'kept', reason: 'quiet_hours', count: 1 });
    expect(sent).toHaveLength(1);
    expect(kept).toMatchObject([{ reason: 'quiet_hours', event: { sessionId: 's2' } }]);
    d.dispose();
  });

  it('sends at most maxPerHour per user in any hour, and keeps the rest', async () => {
    const { d, sent, kept } = setup({ maxPerHour: 3 });
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push((await d.notify(event({ sessionId: `s${i}` }))).kind);
    expect(outcomes).toEqual(['sent', 'sent', 'sent', 'kept', 'kept']);
    expect(kept.map((k) => k.reason)).toEqual(['rate_limited', 'rate_limited']);
    // Other users have their own budget.
    expect((await d.notify(event({ userId: 'u2', sessionId: 'x' }))).kind).toBe('sent');
    await vi.advanceTimersByTimeAsync(HOUR_MS);
    expect((await d.notify(event({ sessionId: 'later' }))).kind).toBe('sent');
    expect(sent).toHaveLength(5);
    d.dispose();
  });

  it('drops a discarded fold, and stops its timers on dispose', async () => {
    const { d, sent } = setup();
    await d.notify(event());
    await d.notify(event({ message: 'repeat' }));
    d.discard(USER, 's1');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(sent).toHaveLength(1);
    await d.notify(event({ sessionId: 's2' }));
    await d.notify(event({ sessionId: 's2', message: 'repeat' }));
    d.dispose();
    d.dispose();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(sent).toHaveLength(2);
    expect(await d.notify(event({ sessionId: 's3' }))).toEqual({ kind: 'disabled' });
  });

  it('a failing channel is logged, not thrown to the caller', async () => {
    const d = createDispatcher({
      settings: settings(),
      resolvePreference: () => true,
      log: testLogger(),
      send: () => Promise.reject(new Error('push service down')),
      keep: () => undefined,
    });
    await expect(d.notify(event())).resolves.toEqual({ kind: 'sent', count: 1 });
    d.dispose();
  });
});
