import { AppError } from '../errors/index.js';

/** A daily range in minutes after local midnight; `endMin` below `startMin` wraps past midnight. */
export interface QuietHours {
  startMin: number;
  endMin: number;
}

const RANGE = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * Parses "HH:MM-HH:MM" (e.g. "22:00-07:00"); "" is null (never quiet). A range whose ends
 * are equal is empty. Throws AppError(invalid_input) for anything else.
 */
export function parseQuietHours(text: string): QuietHours | null {
  if (text === '') return null;
  const m = RANGE.exec(text);
  if (!m) throw new AppError('invalid_input', `quiet hours must be "HH:MM-HH:MM", got ${JSON.stringify(text)}`);
  const [, h1, m1, h2, m2] = m.map(Number) as [number, number, number, number, number];
  const range = { startMin: h1 * 60 + m1, endMin: h2 * 60 + m2 };
  return range.startMin === range.endMin ? null : range;
}

/** Minutes after midnight of `at` on the wall clock of `timeZone` (default: the system's zone). */
export function minutesInZone(at: Date, timeZone?: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: timeZone || undefined, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/** True when `at` falls inside the quiet range (start inclusive, end exclusive) in `timeZone`. */
export function isQuietAt(quiet: QuietHours | null, at: Date, timeZone?: string): boolean {
  if (!quiet) return false;
  const min = minutesInZone(at, timeZone);
  return quiet.startMin < quiet.endMin ? min >= quiet.startMin && min < quiet.endMin : min >= quiet.startMin || min < quiet.endMin;
}
