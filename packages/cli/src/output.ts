import { homedir } from 'node:os';

/** Where a command writes: results to `out` (stdout), diagnostics to `err` (stderr). */
export interface Output {
  /** True when --json was given: print API objects as JSON, nothing else on stdout. */
  readonly json: boolean;
  line(text?: string): void;
  /** Diagnostics and notes for people (stderr). */
  note(text: string): void;
  /** Prints `value` as JSON (pretty, one document). */
  printJson(value: unknown): void;
  /** Aligned columns with a header row; an empty list prints `empty` instead (to stderr). */
  table(headers: string[], rows: string[][], empty?: string): void;
  /** "key   value" lines, keys aligned. */
  pairs(entries: [string, string][]): void;
}

/** The Output for one command: JSON or tables, on the given streams (default stdout/stderr). */
export function createOutput(options: { json: boolean; stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream }): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  return {
    json: options.json,
    line: (text = '') => void stdout.write(`${text}\n`),
    note: (text) => void stderr.write(`${text}\n`),
    printJson: (value) => void stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    table(headers, rows, empty) {
      if (!rows.length) {
        if (empty) stderr.write(`${empty}\n`);
        return;
      }
      stdout.write(formatTable(headers, rows));
    },
    pairs(entries) {
      const width = Math.max(...entries.map(([k]) => k.length));
      for (const [k, v] of entries) stdout.write(`${k.padEnd(width)}  ${v}\n`);
    },
  };
}

/** Columns padded to the widest cell; the last column is not padded. */
export function formatTable(headers: string[], rows: string[][]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => visibleLength(r[i] ?? ''))));
  return all
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visibleLength(cell))))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

const visibleLength = (s: string) => [...s].length;

/** "just now", "5m ago", "3h ago", "2d ago", or a date for older times; "-" for none. */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const diffS = Math.round((now - at) / 1000);
  const future = diffS < 0;
  const s = Math.abs(diffS);
  let text: string;
  if (s < 45) return future ? 'in a moment' : 'just now';
  else if (s < 3600) text = `${Math.round(s / 60)}m`;
  else if (s < 86_400) text = `${Math.round(s / 3600)}h`;
  else if (s < 30 * 86_400) text = `${Math.round(s / 86_400)}d`;
  else return new Date(at).toISOString().slice(0, 10);
  return future ? `in ${text}` : `${text} ago`;
}

/** 42 → "42s", 3700 → "1h 1m", 200000 → "2d 7h". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** The first 8 characters of an id: enough to tell sessions apart, and accepted back as a reference. */
export const shortId = (id: string) => id.slice(0, 8);

/** `/home/me/x` → `~/x`. */
export function tildify(path: string, home = homedir()): string {
  return home && (path === home || path.startsWith(`${home}/`)) ? `~${path.slice(home.length)}` : path;
}

/** Shortens text to `max` characters with an ellipsis. */
export const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
