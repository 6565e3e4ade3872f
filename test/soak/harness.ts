// The stack the soak suites run against: `rdv up --foreground` (the real supervisor, which
// restarts what dies) with api, terminal and web on a temp RDV_HOME, its own tmux socket
// and a loopback port picked at start. Sizes are small inside `npm test` and full under
// `npm run soak` (RDV_SOAK=full).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { socketRequest } from '@rdv/core/lifecycle';
import { waitFor } from '@rdv/core/testing';
import { createTmux } from '@rdv/core/tmux';
import { afterAll } from 'vitest';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const FULL = process.env.RDV_SOAK === 'full';
/** The short size inside `npm test`, the full one under `npm run soak`. */
export const size = <T>(short: T, full: T): T => (FULL ? full : short);

export type Service = 'api' | 'terminal' | 'web';
export const SERVICES: Service[] = ['api', 'terminal', 'web'];

export interface SoakStack {
  home: string;
  tmuxSocket: string;
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  apiSocket: string;
  terminalSocket: string;
  ownerToken: string;
  /** The pid a service's pid file names now (null while it is down). */
  pid(service: Service): number | null;
  /** True once the service answers its health check. */
  serving(service: Service): Promise<boolean>;
  /** The service's JS heap after a full collection (a heap snapshot's total), in bytes. */
  heapBytes(service: Service): Promise<number>;
  /** Calls the api as the owner (CLI token). */
  api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Everything the supervisor printed. */
  output(): string;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A GET that never throws: the status, or 0 when nothing answered. */
export function probe(url: string, timeoutMs = 1000): Promise<number> {
  return fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then(
    async (r) => {
      await r.body?.cancel();
      return r.status;
    },
    () => 0,
  );
}

/** Resident memory of a process in bytes (Linux /proc), or 0 when it is gone. */
export function rssBytes(pid: number | null): number {
  if (!pid) return 0;
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    // The process is gone: it uses nothing.
    return 0;
  }
}

/**
 * Starts the supervised stack for this file; stopped (and its tmux server killed) after it.
 * `heapSnapshots`: the services write a heap snapshot on SIGUSR2 (for `heapBytes`).
 */
export async function useSoakStack(env: Record<string, string> = {}, options: { heapSnapshots?: boolean } = {}): Promise<SoakStack> {
  const home = realpathSync(mkdtempSync(join(tmpdir(), 'rdvsoak-')));
  const tmuxSocket = `test-${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    RDV_HOME: home,
    RDV_TMUX_SOCKET: tmuxSocket,
    RDV_TMUX_CONFIG_FILE: '/dev/null',
    RDV_SHELL: '/bin/sh',
    RDV_LOG_LEVEL: process.env.RDV_SOAK_LOG_LEVEL ?? 'warn',
    RDV_WEB_LISTEN: `127.0.0.1:${port}`,
    NEXT_TELEMETRY_DISABLED: '1',
    // The suites hammer the sockets on purpose; the limits under test are set per suite.
    RDV_RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000',
    RDV_RATE_LIMIT_SENSITIVE_PER_MINUTE: '1000000',
    ...env,
    ...(options.heapSnapshots ? { NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${join(home, 'heap')}` } : {}),
  };
  if (options.heapSnapshots) mkdirSync(join(home, 'heap'), { recursive: true });
  let out = '';
  const supervisor: ChildProcess = spawn(process.execPath, [join(REPO, 'packages/cli/dist/main.js'), 'up', '--foreground'], {
    cwd: REPO,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  supervisor.stdout!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-200_000)));
  supervisor.stderr!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-200_000)));
  process.once('exit', () => supervisor.kill('SIGKILL'));
  afterAll(async () => {
    if (supervisor.exitCode === null) {
      const gone = new Promise<void>((r) => supervisor.once('exit', () => r()));
      supervisor.kill('SIGTERM');
      const timer = setTimeout(() => supervisor.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(timer);
    }
    await createTmux({ socket: tmuxSocket }).killServer();
    // RDV_SOAK_KEEP=1 leaves RDV_HOME (logs, database) behind to look into a failure.
    if (process.env.RDV_SOAK_KEEP) process.stdout.write(`[soak] kept ${home}\n`);
    else rmSync(home, { recursive: true, force: true });
  }, 30_000);

  const url = `http://127.0.0.1:${port}`;
  const apiSocket = join(home, 'run', 'api.sock');
  const terminalSocket = join(home, 'run', 'terminal.sock');
  const health = async (socket: string) => {
    try {
      return (await socketRequest(socket, '/health', { timeoutMs: 1000 })).status === 200;
    } catch {
      // Not listening (yet): not serving.
      return false;
    }
  };
  const stack: SoakStack = {
    home,
    tmuxSocket,
    port,
    url,
    apiSocket,
    terminalSocket,
    ownerToken: '',
    pid(service) {
      try {
        const pid = Number(readFileSync(join(home, 'server', `${service}.pid`), 'utf8').trim());
        return pid > 0 ? pid : null;
      } catch {
        // No pid file: the service is between lives.
        return null;
      }
    },
    heapBytes: (service) => heapBytes(join(home, 'heap'), stack.pid(service)!),
    serving: (service) => (service === 'web' ? probe(`${url}/healthz`).then((s) => s === 200) : health(service === 'api' ? apiSocket : terminalSocket)),
    async api(method, path, body) {
      const res = await socketRequest<any>(apiSocket, path, { method, body, headers: { authorization: `Bearer ${stack.ownerToken}` }, timeoutMs: 10_000 });
      return { status: res.status, body: res.body };
    },
    output: () => out,
  };
  for (const s of SERVICES) {
    await waitFor(() => supervisor.exitCode !== null || stack.serving(s), `${s} serving`, 60_000, 100);
    if (supervisor.exitCode !== null) throw new Error(`rdv up exited (${supervisor.exitCode}): ${out.slice(-1000)}`);
  }
  await waitFor(() => existsSync(join(home, 'cli-token')), 'the owner CLI token');
  stack.ownerToken = readFileSync(join(home, 'cli-token'), 'utf8').trim();
  return stack;
}

/**
 * Asks a process started with --heapsnapshot-signal=SIGUSR2 for a heap snapshot (which
 * collects garbage first) and sums its objects' sizes: the memory it really holds, which
 * resident size does not show once the allocator keeps freed pages.
 */
async function heapBytes(dir: string, pid: number): Promise<number> {
  const mine = () => readdirSync(dir).filter((f) => f.includes(`.${pid}.`));
  const before = new Set(mine());
  process.kill(pid, 'SIGUSR2');
  const file = join(dir, await waitFor(() => mine().find((f) => !before.has(f)), `a heap snapshot from ${pid}`, 120_000, 200));
  let size = -1;
  // Written in one go by the process: done once its size stops changing and it parses.
  const snapshot = await waitFor(
    () => {
      const now = statSync(file).size;
      const stable = now === size;
      size = now;
      if (!stable) return null;
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[] } }; nodes: number[] };
      } catch {
        // Not finished writing yet.
        return null;
      }
    },
    'the heap snapshot written',
    120_000,
    500,
  );
  rmSync(file, { force: true });
  const fields = snapshot.snapshot.meta.node_fields;
  const at = fields.indexOf('self_size');
  let total = 0;
  for (let i = at; i < snapshot.nodes.length; i += fields.length) total += snapshot.nodes[i]!;
  return total;
}

/** A session cookie for the owner, from a fresh login link (local mode). */
export async function signIn(stack: SoakStack): Promise<string> {
  const link = await stack.api<{ code: string }>('POST', '/api/auth/login-links', {});
  const res = await fetch(`${stack.url}/login?code=${link.body.code}`, { redirect: 'manual' });
  if (res.status !== 303) throw new Error(`login link answered ${res.status}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

/** Writes raw bytes to a socket and collects what comes back until it closes. */
export function rawExchange(socket: Socket, bytes: Buffer | string, timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {
      // A reset still leaves what arrived before it.
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    socket.write(bytes);
  });
}

/** A small seeded random generator, so a failing input can be found again. */
export function seeded(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
  return {
    next,
    int: (max: number) => Math.floor(next() * max),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}

/** Prints a suite's counts on one line, so `npm test` and `npm run soak` show them. */
export function report(suite: string, counts: Record<string, unknown>): void {
  const text = Object.entries(counts)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  process.stdout.write(`[soak:${suite}] ${FULL ? 'full' : 'short'} ${text}\n`);
}
