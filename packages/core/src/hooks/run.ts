import { spawn } from 'node:child_process';

/** Output kept per stream; the rest is cut with a note. */
export const MAX_OUTPUT_BYTES = 64 * 1024;
/** After the timeout, SIGTERM; this long after that, SIGKILL. */
const KILL_GRACE_MS = 2000;

export interface RunCommandOptions {
  argv: readonly string[];
  cwd: string;
  env: Record<string, string>;
  /** Written to stdin, then stdin is closed. */
  stdin: string;
  timeoutMs: number;
  /** Ends the run early (as a timeout does, without marking it timed out): rdv is stopping. */
  signal?: AbortSignal;
}

export interface CommandResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Why it did not start, when it did not. */
  error: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

function collector() {
  const chunks: Buffer[] = [];
  let size = 0;
  let dropped = 0;
  return {
    add(chunk: Buffer) {
      const room = MAX_OUTPUT_BYTES - size;
      if (room > 0) chunks.push(chunk.subarray(0, room));
      size += Math.min(room, chunk.length);
      dropped += Math.max(0, chunk.length - Math.max(room, 0));
    },
    text: () => Buffer.concat(chunks).toString('utf8') + (dropped ? `\n[… ${dropped} more bytes not kept]` : ''),
  };
}

/**
 * Runs argv[0] with argv[1..] as they are (no shell: quotes, `$()` and newlines in them
 * are plain characters), in its own process group so a timeout ends whatever it started.
 * Never rejects: a program that cannot start is an `error` in the result.
 */
export function runCommand(o: RunCommandOptions): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const out = collector();
    const err = collector();
    let timedOut = false;
    let spawnError: string | null = null;
    const child = spawn(o.argv[0]!, o.argv.slice(1), { cwd: o.cwd, env: o.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true, shell: false });
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // Already gone: nothing to end.
      }
    };
    let hardKill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      hardKill = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    }, o.timeoutMs);
    const abort = () => {
      killGroup('SIGTERM');
      hardKill ??= setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    };
    if (o.signal?.aborted) abort();
    else o.signal?.addEventListener('abort', abort, { once: true });
    child.stdout.on('data', (c: Buffer) => out.add(c));
    child.stderr.on('data', (c: Buffer) => err.add(c));
    // A program that exits without reading its stdin closes the pipe under us; that is its business.
    child.stdin.on('error', () => {});
    child.stdin.end(o.stdin);
    child.on('error', (e) => {
      spawnError = e.message;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', abort);
      if (hardKill) clearTimeout(hardKill);
      resolve({
        exitCode: spawnError ? null : code,
        signal: signal ?? null,
        timedOut,
        error: spawnError,
        stdout: out.text(),
        stderr: err.text(),
        durationMs: Date.now() - started,
      });
    });
  });
}
