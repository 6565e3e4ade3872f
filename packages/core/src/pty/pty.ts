import { createRequire } from 'node:module';
import type * as NodePty from 'node-pty';
import { AppError } from '../errors/index.js';
import { createFdWriter } from './fd-writer.js';
import { sanitizedEnv, TMUX_NAME_PATTERN, type Tmux } from '../tmux/index.js';

// node-pty is a native CommonJS addon; loaded on first use so importing this module stays cheap.
const require = createRequire(import.meta.url);
let nodePty: typeof NodePty | null = null;
const loadNodePty = (): typeof NodePty => (nodePty ??= require('node-pty') as typeof NodePty);

export interface PtyExit {
  exitCode: number;
  signal: number | null;
}

/** A child process on a pseudo-terminal. Output arrives as raw bytes. */
export interface PtyProcess {
  readonly pid: number;
  readonly cols: number;
  readonly rows: number;
  /** True while output reading is paused (flow control). */
  readonly paused: boolean;
  /** True once the process has exited or the handle was disposed. */
  readonly closed: boolean;
  /** True when input is written straight to the pty fd rather than through node-pty's thread-pool writer. */
  readonly writesDirect: boolean;
  /** Input accepted but not yet taken by the kernel (the program is not reading); 0 when unknown. */
  readonly queuedInputBytes: number;
  /** Raw output bytes, in order. Returns the unsubscribe function. */
  onData(listener: (chunk: Buffer) => void): () => void;
  /** Called once, after the last output chunk, unless the handle was disposed first. */
  onExit(listener: (exit: PtyExit) => void): () => void;
  /** Input to the process; ignored once closed. */
  write(data: string | Buffer): void;
  /** Ignored when unchanged or closed. */
  resize(cols: number, rows: number): void;
  /** Stops reading output: the kernel buffer fills and the writer blocks. Idempotent. */
  pause(): void;
  resume(): void;
  /** Kills the process (SIGHUP) and drops every listener. Idempotent. */
  dispose(): void;
}

export interface SpawnPtyOptions {
  file: string;
  args: string[];
  cols: number;
  rows: number;
  /** The complete environment of the child (nothing is inherited). */
  env: Record<string, string>;
  cwd?: string;
  /** $TERM of the child. */
  term?: string;
}

interface NodePtyInternals {
  _fd?: unknown;
  _writable?: unknown;
  _socket?: { destroyed?: unknown };
}

/**
 * node-pty keeps the master fd and its read stream private. When both are there, input
 * skips node-pty's thread-pool writer (see fd-writer.ts), writing only while node-pty
 * still owns an open fd; otherwise (another node-pty version) node-pty writes it.
 */
function fastWriter(child: NodePty.IPty) {
  const internals = child as unknown as NodePtyInternals;
  const fd = internals._fd;
  const socket = internals._socket;
  if (typeof fd !== 'number' || fd < 0 || !socket || typeof socket.destroyed !== 'boolean' || typeof internals._writable !== 'boolean') {
    return null;
  }
  return createFdWriter(fd, () => socket.destroyed === false && internals._writable === true);
}

/** Spawns `file args` (an argv array, no shell) on a new pty. The caller disposes. */
export function spawnPty(options: SpawnPtyOptions): PtyProcess {
  const term = options.term ?? 'xterm-256color';
  const child = loadNodePty().spawn(options.file, options.args, {
    name: term,
    cols: options.cols,
    rows: options.rows,
    cwd: options.cwd ?? options.env.HOME ?? '/',
    env: { ...options.env, TERM: term },
    // Bytes, not strings: decoding here would split multi-byte characters across chunks
    // and cost a copy; the consumer decides whether and where to decode.
    encoding: null,
    handleFlowControl: false,
  });
  const writer = fastWriter(child);
  const dataListeners = new Set<(chunk: Buffer) => void>();
  const exitListeners = new Set<(exit: PtyExit) => void>();
  let cols = options.cols;
  let rows = options.rows;
  let paused = false;
  let closed = false;

  const subs = [
    child.onData((chunk) => {
      if (closed) return;
      for (const listener of dataListeners) listener(chunk as unknown as Buffer);
    }),
    child.onExit(({ exitCode, signal }) => {
      if (closed) return;
      closed = true;
      writer?.dispose();
      const exit = { exitCode, signal: signal ? signal : null };
      for (const listener of exitListeners) listener(exit);
      dataListeners.clear();
      exitListeners.clear();
      for (const s of subs) s.dispose();
    }),
  ];

  return {
    pid: child.pid,
    get cols() {
      return cols;
    },
    get rows() {
      return rows;
    },
    get paused() {
      return paused;
    },
    get closed() {
      return closed;
    },
    writesDirect: writer !== null,
    get queuedInputBytes() {
      return writer?.queuedBytes ?? 0;
    },
    onData(listener) {
      dataListeners.add(listener);
      return () => dataListeners.delete(listener);
    },
    onExit(listener) {
      exitListeners.add(listener);
      return () => exitListeners.delete(listener);
    },
    write(data) {
      if (closed) return;
      if (writer) writer.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      else child.write(data);
    },
    resize(c, r) {
      if (closed || (c === cols && r === rows)) return;
      cols = c;
      rows = r;
      try {
        child.resize(c, r);
      } catch {
        // The pty closed between our check and the ioctl; its exit is on its way.
      }
    },
    pause() {
      if (closed || paused) return;
      paused = true;
      child.pause();
    },
    resume() {
      if (closed || !paused) return;
      paused = false;
      child.resume();
    },
    dispose() {
      if (closed) return;
      closed = true;
      writer?.dispose();
      dataListeners.clear();
      exitListeners.clear();
      for (const s of subs) s.dispose();
      if (paused) child.resume(); // so the reader sees EOF and node-pty releases the fd
      try {
        child.kill('SIGHUP');
      } catch {
        // Already gone: nothing left to kill.
      }
    },
  };
}

export interface AttachTmuxOptions {
  cols: number;
  rows: number;
  /** Base environment; tmux markers, RDV_* and npm noise are removed (default: rdv's own). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Attaches a new tmux client on a pty: `tmux -L <socket> -u attach-session -t =<name>`,
 * TERM=xterm-256color, TMUX unset, a sanitized environment. tmux draws the current
 * screen at once. The pty exits when the session ends (code 0) or the client is
 * detached or cannot attach (non-zero). The caller disposes; disposing only detaches
 * this client, never the session.
 */
export function attachTmuxPty(tmux: Tmux, sessionName: string, options: AttachTmuxOptions): PtyProcess {
  if (!TMUX_NAME_PATTERN.test(sessionName)) {
    throw new AppError('invalid_input', `invalid tmux session name: ${JSON.stringify(sessionName)}`);
  }
  const env = sanitizedEnv(options.env);
  // -u: the client is a UTF-8 terminal (xterm.js) whatever the service's locale; without
  // it tmux draws every non-ASCII character as "_" when LANG/LC_* do not say UTF-8.
  const argv = tmux.argv(['-u', 'attach-session', '-t', `=${sessionName}`]);
  return spawnPty({ file: 'tmux', args: argv, cols: options.cols, rows: options.rows, env, cwd: options.cwd, term: 'xterm-256color' });
}
