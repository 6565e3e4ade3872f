import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { sanitizedEnv, type RdvConfig } from '../config/index.js';
import { AppError } from '../errors/index.js';
import { parsePaneList, parseSessionList, PANE_FORMAT, SESSION_FORMAT, TMUX_NAME_PATTERN, type TmuxPaneInfo, type TmuxSessionInfo } from './parse.js';

export { parseSessionList, TMUX_NAME_PATTERN, type TmuxPaneInfo, type TmuxSessionInfo } from './parse.js';

/** Key names `send-keys` may get without -l: Enter, Escape, C-c, M-x, F1, Up, … */
export const TMUX_KEY_PATTERN =
  /^(?:Enter|Escape|Tab|BTab|BSpace|Space|Up|Down|Left|Right|Home|End|PageUp|PageDown|PPage|NPage|IC|DC|F(?:[1-9]|1[0-2])|(?:C-|M-|S-){1,3}(?:[A-Za-z0-9]|Up|Down|Left|Right|Enter|Space|Tab|BSpace|Escape|\[|\]|\\|_|@|\^))$/;
const OPTION_PATTERN = /^@?[a-z][a-z0-9-]{0,63}$/;

/**
 * tmux treats an argument ending in ";" as a command separator (and a trailing "\;" as
 * a literal ";"), even in argv; so a trailing ";" is sent as "\;" to arrive as given.
 */
export function escapeTrailingSemicolon(text: string): string {
  return text.endsWith(';') ? `${text.slice(0, -1)}\\;` : text;
}

export interface NewSessionOptions {
  name: string;
  cwd: string;
  cols?: number;
  rows?: number;
  env?: Record<string, string>;
  /** argv to run instead of the default shell; several elements are exec'd without a shell. */
  command?: string[];
  /**
   * Pipes the new pane's output from its first byte: in the same tmux call, the session
   * option `option` is set to `value` and `command` (see `pipePane`) gets the output.
   */
  pipe?: { option: string; value: string; command: string };
}

export interface Tmux {
  readonly socket: string;
  /** The environment tmux runs with; a server it starts hands it on to every session. */
  readonly env: Readonly<Record<string, string>>;
  /** argv for `tmux -L socket …` (what node-pty spawns to attach). */
  argv(args: string[]): string[];
  version(): Promise<string>;
  serverRunning(): Promise<boolean>;
  newSession(options: NewSessionOptions): Promise<void>;
  hasSession(name: string): Promise<boolean>;
  /** Idempotent: a missing session is not an error. Returns whether one was killed. */
  killSession(name: string): Promise<boolean>;
  listSessions(): Promise<TmuxSessionInfo[]>;
  /** The visible screen, or with `historyLines` that many lines of scrollback above it too. */
  capturePane(name: string, options?: { historyLines?: number; escapes?: boolean }): Promise<string>;
  /** Types `text` as it is; `thenKeys` (key names such as Enter) follow in the same tmux call, one process instead of two. */
  sendLiteral(name: string, text: string, options?: { thenKeys?: string[] }): Promise<void>;
  sendKeys(name: string, keys: string[]): Promise<void>;
  resize(name: string, cols: number, rows: number): Promise<void>;
  setOption(name: string, option: string, value: string): Promise<void>;
  /** The option's value as it applies to the session (inherited from global if unset). */
  showOption(name: string, option: string): Promise<string | null>;
  /** Every pane of the session (rdv's have one): tmux's pane id, its process, whether its output is piped. */
  listPanes(name: string): Promise<TmuxPaneInfo[]>;
  /**
   * Pipes the session's pane output into `command`, a shell command tmux runs with
   * `sh -c` after expanding its formats (so pass values through session options and
   * `#{q:@option}`, never spliced in). `null` closes the pipe. With `onlyIfNone`, an
   * existing pipe is kept and nothing is started.
   */
  pipePane(name: string, command: string | null, options?: { onlyIfNone?: boolean }): Promise<void>;
  /** Kills this socket's whole tmux server and removes its socket file (tests and benches only). */
  killServer(): Promise<void>;
}

export interface CreateTmuxOptions {
  socket: string;
  /** `-f` file for a newly started server; empty means tmux's own default. */
  configFile?: string;
  historyLimit?: number;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** What tmux prints when no server runs on the socket (which for a reader means: nothing to read). */
export const NO_SERVER = /no server running|error connecting to|server exited unexpectedly/i;
/** The server is not running (no socket, or a stale one): it really has no sessions. */
const SERVER_GONE = /no server running|error connecting to .*\((No such file or directory|Connection refused)\)/i;
// "no current target": the server was exiting (its last session just ended) when asked.
/** A client reached a server that was already shutting down (its last session had just closed). */
const SERVER_EXITING = /server exited unexpectedly|lost server/i;
const NO_SESSION = /can't find (session|window|pane)|session not found|no such session|no current target/i;

function checkKeys(keys: readonly string[]): void {
  for (const key of keys) {
    if (!TMUX_KEY_PATTERN.test(key)) throw new AppError('invalid_input', `unknown key name: ${JSON.stringify(key)}`);
  }
}

function checkName(name: string): void {
  if (!TMUX_NAME_PATTERN.test(name)) throw new AppError('invalid_input', `invalid tmux session name: ${JSON.stringify(name)}`);
}

/** A typed wrapper over `tmux -L socket`: argv arrays only, output parsed. */
export function createTmux(options: CreateTmuxOptions): Tmux {
  if (!TMUX_NAME_PATTERN.test(options.socket.replace(/\./g, '_'))) {
    throw new AppError('invalid_input', `invalid tmux socket name: ${JSON.stringify(options.socket)}`);
  }
  const env = sanitizedEnv(options.env);
  const base = ['-L', options.socket, ...(options.configFile ? ['-f', options.configFile] : [])];
  const timeout = options.timeoutMs ?? 10_000;

  const run = (args: string[]): Promise<RunResult> =>
    new Promise((resolveRun, reject) => {
      const child = execFile('tmux', [...base, ...args], { env, timeout, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
          reject(new AppError('unavailable', `tmux could not be run: ${err.message}`, { cause: err }));
          return;
        }
        // Stopped by the timeout (under load): a tmux client that gets SIGTERM may even exit 0 with
        // nothing printed, and that is not "no sessions".
        if (child.killed || (err && (err as { signal?: string | null }).signal)) {
          reject(new AppError('unavailable', `tmux ${args[0] ?? ''} did not answer within ${timeout} ms`, { cause: err }));
          return;
        }
        const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
        resolveRun({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    });

  const must = async (args: string[], what: string): Promise<string> => {
    const r = await run(args);
    if (r.code === 0) return r.stdout;
    if (NO_SESSION.test(r.stderr) || NO_SERVER.test(r.stderr)) {
      throw new AppError('not_found', `tmux session not found (${what})`);
    }
    throw new AppError('unavailable', `tmux ${what} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
  };

  const pane = (name: string) => {
    checkName(name);
    return `=${name}:`;
  };

  return {
    socket: options.socket,
    env,
    argv: (args) => [...base, ...args],
    async version() {
      const r = await run(['-V']);
      return r.stdout.trim();
    },
    async serverRunning() {
      const r = await run(['list-sessions', '-F', '#{session_name}']);
      return r.code === 0;
    },
    async newSession(o) {
      checkName(o.name);
      const envArgs: string[] = [];
      for (const [k, v] of Object.entries(o.env ?? {})) envArgs.push('-e', `${k}=${v}`);
      const globals = [
        'start-server', ';',
        'set-option', '-g', 'history-limit', String(options.historyLimit ?? 50_000), ';',
        'set-option', '-g', 'status', 'off', ';',
      ];
      const args = [
        ...globals,
        'new-session', '-d', '-s', o.name, '-c', o.cwd,
        '-x', String(o.cols ?? 120), '-y', String(o.rows ?? 32),
        ...envArgs,
        ...(o.command?.length ? ['--', ...o.command] : []),
      ];
      if (o.pipe) {
        if (!OPTION_PATTERN.test(o.pipe.option)) throw new AppError('invalid_input', `invalid tmux option: ${o.pipe.option}`);
        // Chained into the same call: tmux runs these before it reads the new pane, so the first prompt is kept too.
        const target = pane(o.name);
        args.push(';', 'set-option', '-t', target, o.pipe.option, escapeTrailingSemicolon(o.pipe.value));
        args.push(';', 'pipe-pane', '-o', '-t', target, escapeTrailingSemicolon(o.pipe.command));
      }
      let r = await run(args);
      // The last session just ended and its server is still going away: a new server starts on the next try.
      for (let tries = 0; r.code !== 0 && SERVER_EXITING.test(r.stderr) && tries < 5; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 20 * (tries + 1)));
        r = await run(args);
      }
      if (r.code !== 0) {
        if (/duplicate session/i.test(r.stderr)) throw new AppError('conflict', `tmux session ${o.name} already exists`);
        throw new AppError('unavailable', `tmux new-session failed: ${r.stderr.trim() || `exit ${r.code}`}`);
      }
    },
    async hasSession(name) {
      checkName(name);
      const r = await run(['has-session', '-t', `=${name}`]);
      return r.code === 0;
    },
    async killSession(name) {
      checkName(name);
      const r = await run(['kill-session', '-t', `=${name}`]);
      if (r.code === 0) return true;
      if (NO_SESSION.test(r.stderr) || NO_SERVER.test(r.stderr)) return false;
      throw new AppError('unavailable', `tmux kill-session failed: ${r.stderr.trim()}`);
    },
    async listSessions() {
      const r = await run(['list-sessions', '-F', SESSION_FORMAT]);
      if (r.code !== 0) {
        // Only a server that is not there has no sessions; a busy one (EAGAIN) or a silent failure is an error,
        // or reconcile would close every session on a hiccup.
        if (SERVER_GONE.test(r.stderr)) return [];
        throw new AppError('unavailable', `tmux list-sessions failed: ${r.stderr.trim() || `exit ${r.code}`}`);
      }
      return parseSessionList(r.stdout);
    },
    async capturePane(name, o = {}) {
      const args = ['capture-pane', '-p', '-J', '-t', pane(name)];
      if (o.escapes) args.push('-e');
      if (o.historyLines && o.historyLines > 0) args.push('-S', String(-Math.floor(o.historyLines)));
      const out = await must(args, 'capture-pane');
      // tmux pads the screen with blank lines below the cursor; they are not content.
      return out.replace(/\n+$/, '\n').replace(/^\n$/, '');
    },
    async sendLiteral(name, text, o = {}) {
      const keys = o.thenKeys ?? [];
      checkKeys(keys);
      const args = text.length ? ['send-keys', '-t', pane(name), '-l', '--', escapeTrailingSemicolon(text)] : [];
      if (keys.length) args.push(...(args.length ? [';'] : []), 'send-keys', '-t', pane(name), ...keys);
      if (args.length) await must(args, 'send-keys');
    },
    async sendKeys(name, keys) {
      checkKeys(keys);
      if (keys.length) await must(['send-keys', '-t', pane(name), ...keys], 'send-keys');
    },
    async resize(name, cols, rows) {
      if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 2 || rows < 2 || cols > 1000 || rows > 500) {
        throw new AppError('invalid_input', 'cols must be 2-1000 and rows 2-500');
      }
      await must(['resize-window', '-t', pane(name), '-x', String(cols), '-y', String(rows)], 'resize-window');
    },
    async setOption(name, option, value) {
      if (!OPTION_PATTERN.test(option)) throw new AppError('invalid_input', `invalid tmux option: ${option}`);
      await must(['set-option', '-t', pane(name), option, value], 'set-option');
    },
    async showOption(name, option) {
      if (!OPTION_PATTERN.test(option)) throw new AppError('invalid_input', `invalid tmux option: ${option}`);
      // -A: include the inherited (global) value, which is what applies to the session.
      const r = await run(['show-options', '-v', '-A', '-t', pane(name), option]);
      if (r.code !== 0) return null;
      return r.stdout.replace(/\n$/, '');
    },
    async listPanes(name) {
      checkName(name);
      return parsePaneList(await must(['list-panes', '-s', '-t', `=${name}`, '-F', PANE_FORMAT], 'list-panes'));
    },
    async pipePane(name, command, o = {}) {
      if (command === null) {
        await must(['pipe-pane', '-t', pane(name)], 'pipe-pane');
        return;
      }
      if (o.onlyIfNone) {
        // -o alone would toggle: close a running pipe instead of keeping it.
        const piping = await must(['display-message', '-p', '-t', pane(name), '#{pane_pipe}'], 'display-message');
        if (piping.trim() === '1') return;
        await must(['pipe-pane', '-o', '-t', pane(name), command], 'pipe-pane');
        return;
      }
      await must(['pipe-pane', '-t', pane(name), command], 'pipe-pane');
    },
    async killServer() {
      await run(['kill-server']);
      // tmux leaves the socket file behind; tests and benches make one per run.
      rmSync(join(env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, options.socket), { force: true });
    },
  };
}

/**
 * The Tmux for rdv's configured server (`[tmux]` socket, config file, history), with its
 * version logged — or, when tmux cannot run, an error saying what will fail (`consequence`).
 */
export async function openConfiguredTmux(config: RdvConfig, log: Logger, consequence: string): Promise<Tmux> {
  const tmux = createTmux({
    socket: config.tmux.socket,
    configFile: config.tmux.config_file || undefined,
    historyLimit: config.tmux.history_limit,
  });
  try {
    log.info({ version: await tmux.version(), socket: config.tmux.socket }, 'tmux found');
  } catch (err) {
    log.error({ err }, `tmux cannot be run; ${consequence} until it is installed`);
  }
  return tmux;
}
