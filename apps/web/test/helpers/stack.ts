// Real processes for browser tests: api + terminal + web from their built dist files,
// on a temp RDV_HOME and a private tmux socket, all stopped (and tmux killed) afterwards.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { socketRequest } from '@rdv/core/lifecycle';
import { requireBuilt as requireFiles, startService, useRdvEnv, waitFor, type TestProcess } from '@rdv/core/testing';
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
  /** Starts a service unless it is already running, and waits until it answers. */
  start(name: Name): Promise<void>;
  stop(name: Name): Promise<void>;
  serviceToken(): string;
  /** A fresh one-time login link for the owner, as `rdv login-link` makes it. */
  loginLink(): Promise<string>;
  /** Calls the api as the owner (service token), as the CLI or MCP would; non-2xx throws. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** Closes every open session of the owner and deletes their folders: a test starts from nothing. */
  reset(): Promise<void>;
  /** A shell session of the owner's; `run` is typed into it, and waited for until its output matches `until`. */
  shell(name: string, run?: { command: string; until: RegExp }): Promise<{ id: string }>;
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
  requireFiles([...Object.values(ENTRY), join(REPO, 'apps/web/.next/BUILD_ID')]);
}

/** Starts api, terminal and web for this test file; `env` adds settings (Cloudflare, …). */
export async function useStack(env: Record<string, string> = {}): Promise<Stack> {
  requireBuilt();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { home, tmuxSocket, env: childEnv } = useRdvEnv('file', { prefix: 'rdvw-', env: { RDV_WEB_LISTEN: `127.0.0.1:${port}`, NEXT_TELEMETRY_DISABLED: '1', ...env } });
  const running = new Map<Name, TestProcess>();
  let web: TestProcess | undefined;
  const health = (name: Name) => (name === 'web' ? { url: `${url}/healthz` } : { socket: join(home, 'run', `${name}.sock`) });

  const stack: Stack = {
    home,
    tmuxSocket,
    url,
    webOutput: () => web?.stdout() ?? '',
    async start(name) {
      if (running.get(name)?.running()) return;
      const proc = await startService(ENTRY[name], { env: childEnv, cwd: REPO, health: health(name), name, stopAfter: 'caller', timeoutMs: 30_000 });
      running.set(name, proc);
      if (name === 'web') web = proc;
    },
    async stop(name) {
      const proc = running.get(name);
      running.delete(name);
      await proc?.stop();
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
    async reset() {
      // Close nothing a page still watches: when a watched session ends, the terminal asks the
      // api to reconcile at once, and a reconcile running while the next session is being
      // created can mark that new session closed before its tmux session is listed.
      const terminal = join(home, 'run', 'terminal.sock');
      const watched = async () => (await socketRequest<{ metrics: { attachedSessions: number } }>(terminal, '/health')).body.metrics.attachedSessions;
      await waitFor(async () => (await watched()) === 0, 'no page to watch a session any more');
      const sessions = await stack.api<{ items: { id: string }[] }>('GET', '/api/sessions');
      for (const s of sessions.items) await stack.api('DELETE', `/api/sessions/${s.id}`);
      // Its last session gone, the tmux server exits; a session created while it is still
      // exiting fails ("server exited unexpectedly"), so the next one waits for a new server.
      const tmuxGone = () => /no server running|error connecting/.test(spawnSync('tmux', ['-L', tmuxSocket, 'list-sessions'], { encoding: 'utf8' }).stderr);
      await waitFor(tmuxGone, 'the tmux server to exit with its last session');
      const folders = await stack.api<{ items: { id: string }[] }>('GET', '/api/folders');
      for (const f of folders.items) await stack.api('DELETE', `/api/folders/${f.id}`);
    },
    async shell(name, run) {
      const session = await stack.api<{ id: string }>('POST', '/api/sessions', { name, kind: 'shell' });
      if (run) {
        let text = '';
        const shows = (pattern: RegExp) => async () =>
          pattern.test((text = (await stack.api<{ text: string }>('GET', `/api/sessions/${session.id}/scrollback`)).text));
        const until = (pattern: RegExp, what: string) =>
          waitFor(shows(pattern), what).catch((err: Error) => {
            throw new Error(`${err.message}; its screen:\n${text.slice(-800)}`);
          });
        // Typed only once the shell shows its prompt, as a person would.
        await until(/\S/, `${name}'s prompt`);
        await stack.api('POST', `/api/sessions/${session.id}/exec`, { command: run.command });
        await until(run.until, `${name} to print ${run.until}`);
      }
      return session;
    },
  };
  afterAll(async () => {
    for (const name of ['web', 'terminal', 'api'] as const) await stack.stop(name);
  }, 30_000);
  await stack.start('api');
  await stack.start('terminal');
  await stack.start('web');
  return stack;
}
