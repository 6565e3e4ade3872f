import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentEnv, type RdvConfig } from '@rdv/core/config';
import { socketRequest } from '@rdv/core/lifecycle';

/** The repository root (the CLI runs from its checkout). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface ServiceSpec {
  name: 'api' | 'terminal' | 'web';
  entry: string;
  /** Socket whose /health answers when the service is ready. */
  healthSocket?: (config: RdvConfig) => string;
}

export const SERVICES: ServiceSpec[] = [
  { name: 'api', entry: join(REPO_ROOT, 'services/api/dist/main.js'), healthSocket: (c) => c.paths.apiSocket },
  { name: 'terminal', entry: join(REPO_ROOT, 'services/terminal/dist/main.js'), healthSocket: (c) => c.paths.terminalSocket },
  { name: 'web', entry: join(REPO_ROOT, 'apps/web/dist/server.js') },
];

/** Services whose entry point is built, in start order. */
export const availableServices = (): ServiceSpec[] => SERVICES.filter((s) => existsSync(s.entry));

const BACKOFF_MS = [1000, 2000, 4000, 8000, 16_000, 30_000];
const STABLE_MS = 60_000;
const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** Turns a pino JSON line into "[api] message key=value"; other lines pass as they are. */
export function formatLogLine(service: string, line: string): string | null {
  if (!line.trim()) return null;
  try {
    const rec = JSON.parse(line) as Record<string, unknown>;
    const { level, msg, time: _t, pid: _p, name: _n, hostname: _h, err, ...rest } = rec;
    const lvl = LEVELS[Number(level)] ?? 'info';
    if (lvl === 'trace' || lvl === 'debug') return null;
    const fields = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const errText = err && typeof err === 'object' ? ` (${(err as { message?: string }).message ?? ''})` : '';
    const tag = lvl === 'info' ? '' : `${lvl.toUpperCase()} `;
    return `[${service}] ${tag}${String(msg ?? '')}${errText}${fields ? `  ${fields}` : ''}`;
  } catch {
    return `[${service}] ${line}`;
  }
}

export async function waitForHealth(socket: string, timeoutMs: number, isAlive: () => boolean = () => true): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && isAlive()) {
    try {
      const r = await socketRequest(socket, '/health', { timeoutMs: 2000 });
      if (r.status === 200) return true;
    } catch {
      // Not listening yet: keep polling until the deadline.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

export interface Supervisor {
  /** Resolves when every service is ready (or has failed its first start). */
  ready: Promise<{ failed: string[] }>;
  /** SIGTERM to every child, SIGKILL after the deadline. */
  stop(): Promise<void>;
  /** Resolves when the supervisor has stopped for good. */
  done: Promise<number>;
}

/**
 * Runs the services in the foreground: starts them in order, waits for each to be
 * healthy, restarts one that dies (with backoff, and says so), and stops them all on stop().
 */
export function superviseServices(config: RdvConfig, options: { print: (line: string) => void; env?: NodeJS.ProcessEnv }): Supervisor {
  const services = availableServices();
  const children = new Map<string, ChildProcess>();
  let stopping = false;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  let fatal = 0;

  const launch = (spec: ServiceSpec, attempt: number): ChildProcess => {
    const child = spawn(process.execPath, [spec.entry], {
      cwd: REPO_ROOT,
      env: { ...(options.env ?? parentEnv()), RDV_HOME: config.paths.home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.set(spec.name, child);
    const startedAt = Date.now();
    let stderrTail = '';
    const pipe = (stream: NodeJS.ReadableStream, isErr: boolean) => {
      let buf = '';
      stream.on('data', (chunk: Buffer) => {
        buf += chunk.toString('utf8');
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (isErr) stderrTail = (stderrTail + line + '\n').slice(-2000);
          const out = formatLogLine(spec.name, line);
          if (out) options.print(out);
        }
      });
    };
    pipe(child.stdout!, false);
    pipe(child.stderr!, true);
    child.on('exit', (code, signal) => {
      children.delete(spec.name);
      if (stopping) return;
      if (/already running/.test(stderrTail)) {
        options.print(`[rdv] ${spec.name} is already running outside this supervisor; stop it with "rdv down" first.`);
        fatal = 1;
        void supervisor.stop();
        return;
      }
      const uptime = Date.now() - startedAt;
      const next = uptime > STABLE_MS ? 0 : attempt + 1;
      const delay = BACKOFF_MS[Math.min(next, BACKOFF_MS.length - 1)]!;
      options.print(`[rdv] ${spec.name} exited (${signal ?? `code ${code}`}); restarting in ${delay / 1000}s`);
      setTimeout(() => {
        if (!stopping) launch(spec, next);
      }, delay).unref();
    });
    return child;
  };

  const ready = (async () => {
    const failed: string[] = [];
    for (const spec of services) {
      // Stopped while an earlier one was starting (Ctrl-C early): start no more.
      if (stopping) break;
      const child = launch(spec, 0);
      const socket = spec.healthSocket?.(config);
      if (socket && !(await waitForHealth(socket, 30_000, () => child.exitCode === null && !stopping))) failed.push(spec.name);
    }
    return { failed };
  })();

  const supervisor: Supervisor = {
    ready,
    done,
    async stop() {
      if (stopping) return done.then(() => undefined);
      stopping = true;
      const waits = [...children.values()].map(
        (child) =>
          new Promise<void>((r) => {
            if (child.exitCode !== null || child.signalCode !== null) return r();
            child.once('exit', () => r());
            child.kill('SIGTERM');
            setTimeout(() => {
              child.kill('SIGKILL');
            }, 10_000).unref();
          }),
      );
      await Promise.all(waits);
      resolveDone(fatal);
    },
  };
  return supervisor;
}
