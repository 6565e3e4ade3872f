import { AppError } from '../errors/index.js';
import { openLogSnapshot, type LogSnapshot } from './files.js';
import { toText } from './text.js';

export const DEFAULT_PAGE_BYTES = 1024 * 1024;
export const MAX_PAGE_BYTES = 16 * 1024 * 1024;
const BLOCK = 64 * 1024;

export interface ReadOutputOptions {
  /** `text` (default): escape sequences stripped, lines as a terminal showed them; `raw`: the bytes as written. */
  format?: 'text' | 'raw';
  /** The last N lines (at most `limitBytes` of them); overrides `from`. */
  tail?: number;
  /** Absolute offset to start at (default: the oldest byte kept). */
  from?: number;
  /** At most this many raw bytes (default 1 MiB, at most 16 MiB). */
  limitBytes?: number;
}

interface PageInfo {
  /** Absolute offsets of the bytes returned: [start, end). Ask `from: end` for the next page. */
  start: number;
  end: number;
  /** What the log keeps: [logStart, logEnd). Bytes before logStart were rotated away. */
  logStart: number;
  logEnd: number;
  /** More bytes follow `end` (now). */
  more: boolean;
}

export type OutputPage = PageInfo & ({ format: 'text'; text: string } | { format: 'raw'; data: Buffer });

/**
 * Reads a page of a session's output from its folder, across the rotated files in
 * order. Works whether or not the session (or tmux) still runs; a folder without a log
 * reads as empty. Errors: `invalid_input` for a bad range.
 */
export function readOutput(dir: string, options: ReadOutputOptions = {}): OutputPage {
  const limit = options.limitBytes ?? DEFAULT_PAGE_BYTES;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_BYTES) throw new AppError('invalid_input', `limitBytes must be 1-${MAX_PAGE_BYTES}`);
  if (options.from !== undefined && (!Number.isSafeInteger(options.from) || options.from < 0)) throw new AppError('invalid_input', 'from must be a byte offset');
  if (options.tail !== undefined && (!Number.isSafeInteger(options.tail) || options.tail < 1)) throw new AppError('invalid_input', 'tail must be a positive number of lines');
  const format = options.format ?? 'text';
  const snap = openLogSnapshot(dir);
  try {
    let start: number;
    let end: number;
    if (options.tail !== undefined) {
      end = snap.end;
      start = tailStart(snap, options.tail, limit);
    } else {
      start = Math.min(Math.max(options.from ?? snap.start, snap.start), snap.end);
      end = Math.min(snap.end, start + limit);
    }
    let data = snap.read(start, end);
    if (format === 'text' && end < snap.end) {
      // Cut a text page at a line end, so the next one starts a line.
      const nl = data.lastIndexOf(0x0a);
      if (nl >= 0) {
        data = data.subarray(0, nl + 1);
        end = start + nl + 1;
      }
    }
    const info: PageInfo = { start, end, logStart: snap.start, logEnd: snap.end, more: end < snap.end };
    return format === 'raw' ? { ...info, format, data } : { ...info, format, text: toText(data) };
  } finally {
    snap.close();
  }
}

/** Where the last `lines` lines begin (a final newline ends the last line, it does not start one), within `limit` bytes of the end. */
function tailStart(snap: LogSnapshot, lines: number, limit: number): number {
  const floor = Math.max(snap.start, snap.end - limit);
  let pos = snap.end;
  let seen = 0;
  while (pos > floor) {
    const from = Math.max(floor, pos - BLOCK);
    const block = snap.read(from, pos);
    for (let i = block.length - 1; i >= 0; i--) {
      if (block[i] !== 0x0a) continue;
      if (from + i === snap.end - 1) continue;
      if (++seen === lines) return from + i + 1;
    }
    pos = from;
  }
  if (floor === snap.start) return floor;
  // Cut by the byte limit: start at the first whole line inside it.
  const head = snap.read(floor, Math.min(snap.end, floor + BLOCK));
  const nl = head.indexOf(0x0a);
  return nl >= 0 && floor + nl + 1 < snap.end ? floor + nl + 1 : floor;
}
