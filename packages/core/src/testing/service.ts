// rdv's built programs (api, terminal, web, the CLI) as child processes of a test: spawned
// with exactly the environment given, waited on until they answer, and never left running.
// Entry points are arguments: core knows nothing about where the services live.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { register, type Scope } from './hooks.js';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface TestProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Settles when the process has exited. */
  readonly exited: Promise<ChildExit>;
  stdout(): string;
  stderr(): string;
  /** stdout and stderr interleaved as they arrived. */
  output(): string;
  running(): boolean;
  /** SIGTERM, then SIGKILL if it is still there after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<ChildExit>;
}

export interface SpawnNodeOptions {
  /** The whole environment of the child: nothing of the test process is inherited. */
  env: Record<string, string | undefined>;
  args?: string[];
  cwd?: string;
  /**
   * When the process is stopped if it is still running: after the test, after the file, or
   * only by the caller. Whatever is still running when the test worker exits is killed.
   */
  stopAfter?: Scope | 'caller';
}

const alive = new Set<ChildProcess>();
let exitHookInstalled = false;

// Last resort for a worker that goes away without running its hooks (a hook timing out):
// never leave a service behind.
function killLeftoversOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of alive) child.kill('SIGKILL');
  });
}

/** Spawns `node <entry> ...args`, collecting its output. */
export function spawnNode(entry: string, options: SpawnNodeOptions): TestProcess {
  const child = spawn(process.execPath, [entry, ...(options.args ?? [])], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${entry}`);
  alive.add(child);
  killLeftoversOnExit();
  let out = '';
  let err = '';
  let all = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    all += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
    all += c.toString();
  });
  const exited = new Promise<ChildExit>((resolve) =>
    child.once('exit', (code, signal) => {
      alive.delete(child);
      resolve({ code, signal });
    }),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  const proc: TestProcess = {
    child,
    pid: child.pid,
    exited,
    stdout: () => out,
    stderr: () => err,
    output: () => all,
    running,
    async stop(graceMs = 8000) {
      if (!running()) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
  const stopAfter = options.stopAfter ?? 'test';
  if (stopAfter !== 'caller') register(stopAfter, async () => void (await proc.stop()));
  return proc;
}

/** Where a service answers its health check: a unix socket (path `/health` by default) or an http URL. */
export type HealthTarget = { socket: string; path?: string } | { url: string };

/** True when `target` answers 200 within `timeoutMs`; false on any other answer or none. */
export function isHealthy(target: HealthTarget, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const where =
      'url' in target
        ? (() => {
            const u = new URL(target.url);
            return { hostname: u.hostname, port: u.port, path: `${u.pathname}${u.search}` };
          })()
        : { socketPath: target.socket, path: target.path ?? '/health' };
    const req = request({ ...where, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.setTimeout(timeoutMs, () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

const describeTarget = (t: HealthTarget) => ('url' in t ? t.url : `${t.socket} ${t.path ?? '/health'}`);
const tail = (text: string) => text.slice(-800);

/** Polls `target` until it is healthy; fails at once, with the process's output, if it exits first. */
export async function waitForHealthy(proc: TestProcess, target: HealthTarget, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!proc.running()) {
      const { code, signal } = await proc.exited;
      throw new Error(`${what} exited (${signal ?? code}) before it was healthy: ${tail(proc.output())}`);
    }
    if (await isHealthy(target)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} to answer ${describeTarget(target)}: ${tail(proc.output())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** spawnNode, then waitForHealthy; a process that never becomes healthy is stopped before the error is thrown. */
export async function startService(
  entry: string,
  options: SpawnNodeOptions & { health: HealthTarget; name?: string; timeoutMs?: number },
): Promise<TestProcess> {
  const proc = spawnNode(entry, options);
  try {
    await waitForHealthy(proc, options.health, options.name ?? entry, options.timeoutMs);
  } catch (err) {
    await proc.stop(1000);
    throw err;
  }
  return proc;
}

/** Throws unless every built file exists: process tests run what `npm run build` made. */
export function requireBuilt(files: string[]): void {
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) throw new Error(`build first (npm run build): missing ${missing.join(', ')}`);
}
