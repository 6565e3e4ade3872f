// Bench plumbing shared by the edge, browser, scale, api and start benches: rdv's built
// api, terminal and web processes on a temp RDV_HOME and a private tmux socket, a signed-in
// browser cookie for the edge, and small statistics helpers. `dispose()` stops all of it.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { loadavg, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const ENTRY = {
  api: join(ROOT, 'services/api/dist/main.js'),
  terminal: join(ROOT, 'services/terminal/dist/main.js'),
  web: join(ROOT, 'apps/web/dist/server.js'),
};
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const now = () => Number(process.hrtime.bigint()) / 1e6;
export const log = (...a) => process.stderr.write(`${a.join(' ')}\n`);
export const out = (line = '') => process.stdout.write(`${line}\n`);

/** The p-th percentile of `xs` (nearest rank; NaN when empty). */
export function percentile(xs, p) {
  if (!xs.length) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
export const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
export const verdict = (ok) => (ok ? 'PASS' : 'MISS');
/** "2 cores, load 3.10 2.80 2.50": what the figures were measured on. */
export const machine = () => `${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;

/** `--name value` from argv, else the env var, else the default (numbers). */
export function numberArg(name, envName, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i > 0) return Number(process.argv[i + 1]);
  return process.env[envName] ? Number(process.env[envName]) : fallback;
}

export async function freePort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

/** One HTTP request over a unix socket or TCP: `{ status, headers, text, body }`. */
export function httpRequest({ socketPath, port, path, method = 'GET', headers = {}, body }) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      { socketPath, host: socketPath ? undefined : '127.0.0.1', port, path, method, agent: false, headers: { ...headers, ...(data ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = null;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            // Not JSON (a page): the text is there.
          }
          resolve({ status: res.statusCode, headers: res.headers, text, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** CPU ticks (user+system, 1/100 s) of a process, from /proc. */
export function cpuTicks(pid) {
  const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop().split(' ');
  return Number(rest[11]) + Number(rest[12]);
}
/** Resident memory of a process in bytes, from /proc. */
export function rssBytes(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) * 1024;
}

/**
 * rdv's services on a temp home: `start('api' | 'terminal' | 'web')`, `api(method, path,
 * body)` as the owner (CLI token), `cookie()` a signed-in browser cookie for the edge.
 */
export async function createStack({ env: extraEnv = {}, prefix = 'rdvb-' } = {}) {
  const home = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  const tmuxSocket = `bench-${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    RDV_HOME: home,
    RDV_TMUX_SOCKET: tmuxSocket,
    RDV_TMUX_CONFIG_FILE: '/dev/null',
    RDV_SHELL: '/bin/sh',
    RDV_LOG_LEVEL: 'warn',
    RDV_WEB_LISTEN: `127.0.0.1:${port}`,
    NEXT_TELEMETRY_DISABLED: '1',
    ...extraEnv,
  };
  const sockets = { api: join(home, 'run', 'api.sock'), terminal: join(home, 'run', 'terminal.sock') };
  const procs = new Map();
  let token = '';

  const healthy = async (name) => {
    try {
      const r = name === 'web' ? await httpRequest({ port, path: '/healthz' }) : await httpRequest({ socketPath: sockets[name], path: '/health' });
      return r.status === 200;
    } catch {
      return false;
    }
  };
  const stack = {
    home,
    env,
    port,
    url: `http://127.0.0.1:${port}`,
    tmuxSocket,
    sockets,
    pid: (name) => procs.get(name)?.pid,
    token: () => token,
    async start(name) {
      // BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) go to every service started.
      const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
      const proc = spawn(process.execPath, [...nodeArgs, ENTRY[name]], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      proc.stdout.on('data', (c) => (output += c));
      proc.stderr.on('data', (c) => (output += c));
      procs.set(name, proc);
      for (const deadline = Date.now() + 60_000; !(await healthy(name)); ) {
        if (proc.exitCode !== null) throw new Error(`${name} exited: ${output.slice(-2000)}`);
        if (Date.now() > deadline) throw new Error(`${name} did not become healthy: ${output.slice(-2000)}`);
        await sleep(50);
      }
      if (name === 'api') token = readFileSync(join(home, 'cli-token'), 'utf8').trim();
      return proc;
    },
    async api(method, path, body) {
      const r = await httpRequest({ socketPath: sockets.api, path, method, body, headers: { authorization: `Bearer ${token}` } });
      if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path}: ${r.status} ${r.text.slice(0, 300)}`);
      return r.body;
    },
    /** A signed-in browser's cookie header (`rdv_session=…`), from a one-time login link. */
    async cookie() {
      const { code } = await stack.api('POST', '/api/auth/login-links', {});
      const r = await httpRequest({ port, path: `/login?code=${encodeURIComponent(code)}` });
      const set = [r.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('rdv_session='));
      if (!set) throw new Error(`login refused: ${r.status} ${r.text.slice(0, 200)}`);
      return set.split(';')[0];
    },
    /** A shell session (through the api), waited for until its prompt shows. */
    async shell(name) {
      const session = await stack.api('POST', '/api/sessions', { name, kind: 'shell' });
      for (let i = 0; i < 200; i++) {
        const { text } = await stack.api('GET', `/api/sessions/${session.id}/scrollback`);
        if (/\S/.test(text)) return session;
        await sleep(50);
      }
      throw new Error(`${name} showed no prompt`);
    },
    async stop(name) {
      const proc = procs.get(name);
      procs.delete(name);
      if (!proc || proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, sleep(8000)]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    },
    async dispose() {
      for (const name of ['web', 'terminal', 'api']) await stack.stop(name);
      spawnSync('tmux', ['-L', tmuxSocket, 'kill-server'], { stdio: 'ignore' });
      rmSync(join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, tmuxSocket), { force: true });
      rmSync(home, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Runs `main(stack)` with a stack that is disposed however it ends (also on Ctrl-C). */
export async function withStack(options, main) {
  const stack = await createStack(options);
  const onSignal = () => void stack.dispose().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await main(stack);
  } catch (err) {
    process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  } finally {
    await stack.dispose();
  }
}
