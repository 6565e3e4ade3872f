// Test helpers: the built `rdv` as a child process, real api/terminal processes on a temp
// RDV_HOME with their own tmux socket, and a tmux "screen" to drive `rdv attach` in.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { startService, useRdvEnv, waitFor, type TestProcess } from '@rdv/core/testing';
import { createTmux } from '@rdv/core/tmux';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI_MAIN = join(REPO_ROOT, 'packages/cli/dist/main.js');
const ENTRY = { api: join(REPO_ROOT, 'services/api/dist/main.js'), terminal: join(REPO_ROOT, 'services/terminal/dist/main.js') };

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RdvHome {
  home: string;
  tmuxSocket: string;
  env: Record<string, string>;
  /** Runs `node packages/cli/dist/main.js …args` with this home's environment. */
  rdv(args: string[], options?: { env?: Record<string, string>; timeoutMs?: number }): Promise<RunResult>;
  /** Runs rdv with --json, expects exit 0, returns the parsed stdout. */
  json<T = any>(args: string[]): Promise<T>;
  token(): string;
}

/** A temp RDV_HOME with its own tmux socket (killed after the file) and the environment for rdv and the services. */
export function useRdvHome(extra: Record<string, string> = {}): RdvHome {
  const { home, tmuxSocket, env } = useRdvEnv('file', { prefix: 'rdv-cli-', env: { RDV_LOG_LEVEL: 'info', ...extra } });
  // Never the shared default port: a unix socket inside this home.
  env.RDV_WEB_LISTEN ??= join(home, 'run', 'web.sock');
  const rdv: RdvHome['rdv'] = (args, options = {}) =>
    new Promise((resolveRun) => {
      const child = spawn(process.execPath, [CLI_MAIN, ...args], { env: { ...env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolveRun({ code, stdout, stderr });
      });
    });
  return {
    home,
    tmuxSocket,
    env,
    rdv,
    async json(args) {
      const r = await rdv(['--json', ...args]);
      if (r.code !== 0) throw new Error(`rdv ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return JSON.parse(r.stdout);
    },
    token: () => readFileSync(join(home, 'cli-token'), 'utf8').trim(),
  };
}

export interface Services {
  /** Starts the built api (and terminal) and waits until each is healthy. Call it from beforeAll. */
  start(): Promise<void>;
  /** SIGTERM to one service (or all, in reverse order), waiting for it to exit. */
  stop(name?: 'api' | 'terminal'): Promise<void>;
}

/**
 * The built api (and terminal) as child processes on this home. Call at the top of the
 * file (it registers the afterAll that stops them), then `start()` in beforeAll.
 */
export function useServices(h: RdvHome, names: ('api' | 'terminal')[] = ['api', 'terminal']): Services {
  const running = new Map<string, TestProcess>();
  const stop = async (name?: 'api' | 'terminal') => {
    const targets = name ? [name] : [...running.keys()].reverse();
    for (const n of targets) {
      const proc = running.get(n);
      running.delete(n);
      await proc?.stop();
    }
  };
  afterAll(() => stop(), 30_000);
  const start = async () => {
    for (const name of names) {
      const health = { socket: join(h.home, 'run', `${name}.sock`) };
      running.set(name, await startService(ENTRY[name], { env: h.env, health, name, stopAfter: 'caller' }));
    }
  };
  return { start, stop };
}

export interface Screen {
  socket: string;
  /** Types literal text (then Enter unless `enter` is false). */
  type(text: string, enter?: boolean): void;
  /**
   * Clears the pane at once, then types `command` and Enter: nothing an earlier command
   * printed is left for a later waitFor to match.
   */
  run(command: string): void;
  keys(...keys: string[]): void;
  capture(): string;
  resize(cols: number, rows: number): void;
  /** Waits until the screen matches. */
  waitFor(pattern: RegExp, what: string): Promise<string>;
  panePid(): number;
}

/** A tmux server of its own holding one pane running `sh`, like a person's terminal; killed after the file. */
export function useScreen(env: Record<string, string>, cols = 100, rows = 30): Screen {
  const socket = `test-ui-${randomBytes(4).toString('hex')}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env: { ...process.env, TMUX: '' } });
  const envArgs = Object.entries({ ...env, PS1: '$ ' }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  tmux('new-session', '-d', '-s', 'ui', '-x', String(cols), '-y', String(rows), ...envArgs, '/bin/sh');
  tmux('set-option', '-g', 'status', 'off');
  afterAll(() => createTmux({ socket }).killServer());
  const screen: Screen = {
    socket,
    type(text, enter = true) {
      tmux('send-keys', '-t', 'ui', '-l', text);
      if (enter) tmux('send-keys', '-t', 'ui', 'Enter');
    },
    run(command) {
      // A reset clears tmux's copy of the screen before send-keys returns; a typed `clear`
      // would clear it only once the shell gets to it.
      tmux('send-keys', '-R', '-t', 'ui');
      screen.type(command);
    },
    keys: (...keys) => void tmux('send-keys', '-t', 'ui', ...keys),
    capture: () => tmux('capture-pane', '-p', '-t', 'ui'),
    resize: (c, r) => void tmux('resize-window', '-t', 'ui', '-x', String(c), '-y', String(r)),
    waitFor: (pattern, what) => waitFor(() => (pattern.test(screen.capture()) ? screen.capture() : null), what, 15_000, 50),
    panePid: () => Number(tmux('display-message', '-p', '-t', 'ui', '#{pane_pid}').trim()),
  };
  return screen;
}
