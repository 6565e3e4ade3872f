import { execFile } from 'node:child_process';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError } from '../errors/index.js';
import type { MONITOR_METHODS } from '../schemas/index.js';
import { sanitizedEnv } from '../config/index.js';
import { NO_SERVER, TMUX_NAME_PATTERN, type Tmux } from './tmux.js';
import { openControlClient, type ControlClient } from './control-client.js';

export type MonitorMethod = (typeof MONITOR_METHODS)[number];

/** The active pane of one tmux session, as the monitor needs it. */
export interface PaneInfo {
  session: string;
  paneId: string;
  panePid: number;
  /** `window_activity`: the second of the last output (1 s resolution). */
  activitySec: number;
  dead: boolean;
  /** Name of the process in front (`pane_current_command`), asked for only without /proc. */
  command?: string;
}

const SEP = '|~|';
const LEAN_FIELDS = ['#{session_name}', '#{pane_id}', '#{pane_pid}', '#{window_activity}', '#{pane_dead}', '#{window_active}#{pane_active}'];
/**
 * What each scan asks tmux for. `pane_current_command` makes tmux read /proc for every
 * pane, so it is asked for only where /proc can't tell us who is in front (`full`).
 */
export const paneFormat = (full: boolean): string => [...LEAN_FIELDS, ...(full ? ['#{pane_current_command}'] : [])].join(SEP);

const PaneRowSchema = z.tuple([
  z.string().regex(TMUX_NAME_PATTERN),
  z.string().regex(/^%\d+$/),
  z.coerce.number().int().nonnegative(),
  z.coerce.number().int().nonnegative(),
  z.enum(['0', '1']),
  z.string(),
  z.string().optional(),
]);

/** Parses `list-panes -a -F paneFormat(…)` lines: the active pane of each session's active window. */
export function parsePanes(lines: readonly string[]): Map<string, PaneInfo> {
  const out = new Map<string, PaneInfo>();
  for (const line of lines) {
    if (!line) continue;
    const parts = line.split(SEP);
    // The command comes last, so a separator inside it stays part of it.
    const cells = parts.length > 6 ? [...parts.slice(0, 6), parts.slice(6).join(SEP)] : parts;
    const r = PaneRowSchema.safeParse(cells);
    if (!r.success || r.data[5] !== '11') continue;
    const [session, paneId, panePid, activitySec, dead, , command] = r.data;
    out.set(session, { session, paneId, panePid, activitySec, dead: dead === '1', ...(command !== undefined ? { command } : {}) });
  }
  return out;
}

/** Reads panes and screens from tmux, over a control-mode client when one can be had, else by spawning tmux. */
export interface TmuxReader {
  /** How the last read was done; null before the first. */
  readonly method: MonitorMethod | null;
  /** Panes by session name. `attachTo`: sessions the control client may sit on. Empty when no server runs. */
  listPanes(attachTo: readonly string[]): Promise<Map<string, PaneInfo>>;
  /** The visible screen of a pane (never its history). */
  capture(paneId: string): Promise<string>;
  /** Closes the control client. Idempotent. */
  dispose(): void;
}

export interface TmuxReaderOptions {
  tmux: Tmux;
  log: Logger;
  /** 'auto' (default): control mode, falling back to exec. */
  mode?: 'auto' | 'control' | 'exec';
  /** Also read `pane_current_command` (where /proc is missing). */
  withCommand?: boolean;
}

/** Creates a reader; it owns at most one control client, which dispose() closes. */
export function createTmuxReader(options: TmuxReaderOptions): TmuxReader {
  const { tmux, log } = options;
  const mode = options.mode ?? 'auto';
  const format = paneFormat(options.withCommand ?? false);
  const env = sanitizedEnv();
  let client: ControlClient | null = null;
  let connecting: Promise<void> | null = null;
  let retryAt = 0;
  let backoffMs = 2000;
  let method: MonitorMethod | null = null;
  let disposed = false;

  const exec = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile('tmux', tmux.argv(args), { env, timeout: 10_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (!err) return resolve(String(stdout));
        if (NO_SERVER.test(String(stderr))) return resolve('');
        reject(new AppError('unavailable', `tmux ${args[0]} failed: ${String(stderr).trim() || err.message}`, { cause: err }));
      });
    });

  const connect = (candidates: readonly string[]) => {
    if (disposed || mode === 'exec' || connecting || (client?.alive ?? false) || Date.now() < retryAt) return;
    const session = candidates.find((c) => TMUX_NAME_PATTERN.test(c));
    if (!session) return;
    connecting = openControlClient({ tmux, session, log })
      .then((c) => {
        if (disposed) return c.dispose();
        client = c;
        backoffMs = 2000;
        log.debug({ session }, 'tmux control client attached');
      })
      .catch((err: unknown) => {
        retryAt = Date.now() + backoffMs;
        backoffMs = Math.min(backoffMs * 2, 60_000);
        log.debug({ err }, 'tmux control client unavailable; spawning tmux instead');
      })
      .finally(() => {
        connecting = null;
      });
  };

  const run = async (args: string[]): Promise<string[]> => {
    if (client?.alive) {
      try {
        const lines = await client.run(args);
        method = 'control-mode';
        return lines;
      } catch (err) {
        if (!client.alive) client = null;
        else throw err;
      }
    }
    if (mode === 'control') throw new AppError('unavailable', 'tmux control client is not running');
    const out = await exec(args);
    method = 'exec';
    return out.split('\n');
  };

  return {
    get method() {
      return method;
    },
    async listPanes(attachTo) {
      if (mode === 'control' && !client?.alive) {
        connect(attachTo);
        await connecting;
      }
      const panes = parsePanes(await run(['list-panes', '-a', '-F', format]));
      if (!client?.alive) connect(attachTo.filter((s) => panes.has(s)));
      return panes;
    },
    async capture(paneId) {
      if (!/^%\d+$/.test(paneId)) throw new AppError('invalid_input', 'invalid pane id');
      const lines = await run(['capture-pane', '-p', '-J', '-t', paneId]);
      return lines.join('\n');
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      client?.dispose();
      client = null;
    },
  };
}
