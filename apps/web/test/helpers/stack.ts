// Real processes for browser tests: api + terminal + web from their built dist files,
// on a temp RDV_HOME and a private tmux socket, all stopped (and tmux killed) afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { socketRequest } from '@rdv/core/lifecycle';
import { createTmux } from '@rdv/core/tmux';
import { waitFor } from '@rdv/core/testing';
import { afterAll } from 'vitest';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const ENTRY = {
  api: join(REPO, 'services/api/dist/main.js'),
  terminal: join(REPO, 'services/terminal/dist/main.js'),
  web: join(REPO, 'apps/web/dist/server.js'),
} as const;
type Name = keyof typeof ENTRY;

export interface Stack {
  home: string;
  tmuxSocket: string;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Everything the web process printed on stdout. */
  webOutput(): string;
  start(name: Name): Promise<void>;
  stop(name: Name): Promise<void>;
  serviceToken(): string;
  /** A fresh one-time login link for the owner, as `rdv login-link` makes it. */
  loginLink(): Promise<string>;
  /** Calls the api as the owner (service token), as the CLI or MCP would; non-2xx throws. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Checks that everything is built; the suite needs `npm run build` first. */
export function requireBuilt(): void {
  const missing = Object.values(ENTRY).filter((p) => !existsSync(p));
  if (!existsSync(join(REPO, 'apps/web/.next/BUILD_ID'))) missing.push('apps/web/.next (next build)');
  if (missing.length) throw new Error(`build first (npm run build): missing ${missing.join(', ')}`);
}

/** Starts api, terminal and web for this test file; `env` adds settings (Cloudflare, …). */
export async function useStack(env: Record<string, string> = {}): Promise<Stack> {
  requireBuilt();
  const home = realpathSync(mkdtempSync(join(tmpdir(), 'rdvw-')));
  const tmuxSocket = `test-${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('RDV_') && k !== 'TMUX') base[k] = v;
  const childEnv = { ...base, RDV_HOME: home, RDV_TMUX_SOCKET: tmuxSocket, RDV_LOG_LEVEL: 'warn', RDV_WEB_LISTEN: `127.0.0.1:${port}`, NEXT_TELEMETRY_DISABLED: '1', ...env };
  const children = new Map<Name, ChildProcess>();
  let webOut = '';
  // Last resort if the worker goes away without running afterAll (a hook timing out):
  // never leave this file's services running.
  process.once('exit', () => {
    for (const child of children.values()) if (child.exitCode === null) child.kill('SIGKILL');
  });

  const ready = async (name: Name) => {
    if (name === 'web') {
      await waitFor(async () => (await fetch(`${url}/healthz`)).ok, 'web /healthz', 30_000, 100);
      return;
    }
    const sock = join(home, 'run', `${name}.sock`);
    await waitFor(async () => (await socketRequest(sock, '/health', { timeoutMs: 1000 })).status === 200, `${name} /health`, 20_000, 50);
  };
  const stack: Stack = {
    home,
    tmuxSocket,
    url,
    webOutput: () => webOut,
    async start(name) {
      const child = spawn(process.execPath, [ENTRY[name]], { cwd: REPO, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      children.set(name, child);
      let err = '';
      child.stdout!.on('data', (c: Buffer) => {
        if (name === 'web') webOut += c.toString();
      });
      child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
      const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${err.slice(-500)}`))));
      exited.catch(() => {});
      await Promise.race([ready(name), exited]);
    },
    async stop(name) {
      const child = children.get(name);
      children.delete(name);
      if (!child || child.exitCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
      await gone;
      clearTimeout(timer);
    },
    serviceToken: () => readFileSync(join(home, 'server', 'service-token'), 'utf8').trim(),
    async loginLink() {
      const link = await stack.api<{ code: string }>('POST', '/api/auth/login-links', {});
      return `${url}/login?code=${link.code}`;
    },
    async api<T>(method: string, path: string, body?: unknown) {
      const sock = join(home, 'run', 'api.sock');
      const headers = { 'x-rdv-service-token': stack.serviceToken() };
      const owner = await socketRequest<{ id: string }>(sock, '/api/auth/resolve-user', { method: 'POST', body: { owner: true }, headers });
      const res = await socketRequest<T>(sock, path, { method, body, headers: { ...headers, 'x-rdv-user-id': owner.body.id } });
      if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
      return res.body;
    },
  };
  afterAll(async () => {
    for (const name of ['web', 'terminal', 'api'] as const) await stack.stop(name);
    await createTmux({ socket: tmuxSocket }).killServer();
    rmSync(home, { recursive: true, force: true });
  }, 30_000);
  await stack.start('api');
  await stack.start('terminal');
  await stack.start('web');
  return stack;
}
