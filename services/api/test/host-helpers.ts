// The other machine of the host tests: a second rdv (api + terminal from their built dist
// files) on its own RDV_HOME, tmux socket and owner; or a stand-in api that answers like
// another rdv version would.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { socketRequest, type ApiResponse } from '@rdv/core/lifecycle';
import { requireBuilt, startService, useRdvEnv, useTempDir } from '@rdv/core/testing';
import WebSocket from 'ws';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const API = join(REPO, 'services/api/dist/main.js');
const TERMINAL = join(REPO, 'services/terminal/dist/main.js');
/** The built `rdv` command. */
export const CLI_MAIN = join(REPO, 'packages/cli/dist/main.js');

/** Runs the built `rdv` on RDV_HOME `home` as its owner, with `input` on its stdin. */
export function runRdv(home: string, args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI_MAIN, ...args], { env: { PATH: process.env.PATH, HOME: home, RDV_HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

export interface RemoteRdv {
  home: string;
  ownerToken: string;
  /** Calls the host's own api directly (not through the link). */
  call<T = any>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>>;
  stop(): Promise<void>;
}

/** A second rdv on this machine, for the primary to reach over ssh; stopped by the caller. */
export async function startRemoteRdv(env: Record<string, string> = {}): Promise<RemoteRdv> {
  requireBuilt([API, TERMINAL, CLI_MAIN]);
  const { home, env: childEnv } = useRdvEnv('file', { prefix: 'rdv-host-', env });
  const api = await startService(API, { env: childEnv, cwd: REPO, health: { socket: join(home, 'run', 'api.sock') }, name: 'host api', stopAfter: 'caller', timeoutMs: 30_000 });
  const terminal = await startService(TERMINAL, { env: childEnv, cwd: REPO, health: { socket: join(home, 'run', 'terminal.sock') }, name: 'host terminal', stopAfter: 'caller', timeoutMs: 30_000 });
  const ownerToken = readFileSync(join(home, 'cli-token'), 'utf8').trim();
  return {
    home,
    ownerToken,
    call: (method, path, body) => socketRequest(join(home, 'run', 'api.sock'), path, { method, body, headers: { authorization: `Bearer ${ownerToken}` } }),
    async stop() {
      await terminal.stop();
      await api.stop();
    },
  };
}

export interface FakeHost {
  home: string;
  setHealth(body: Record<string, unknown>): void;
  stop(): Promise<void>;
}

/**
 * An api.sock that answers /health with what it is given (another version, unknown fields),
 * accepts any token and holds an empty event stream open.
 */
export async function startFakeHost(
  health: { version?: string; extra?: Record<string, unknown> },
  /** Other answers by exact path (with its query): a hostile host's, say. */
  answers: Record<string, { type: string; body: string }> = {},
): Promise<FakeHost> {
  const home = useTempDir('file', 'rdv-fake-');
  mkdirSync(join(home, 'run'), { mode: 0o700 });
  let body: Record<string, unknown> = { status: 'healthy', version: health.version, ...health.extra };
  const streams = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    if (req.url === '/health') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/api/auth/me') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ user: { id: 'x' }, unknown: 1 }));
    const answer = answers[req.url ?? ''];
    if (answer) return void res.writeHead(200, { 'content-type': answer.type }).end(answer.body);
    if (req.url === '/api/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': connected\n\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"not_found","message":"no"}}');
  });
  await new Promise<void>((resolve) => server.listen(join(home, 'run', 'api.sock'), resolve));
  return {
    home,
    setHealth: (next) => {
      body = next;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const res of streams) res.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A websocket attached to a session of `hostId` through the api at `socket`, collecting its output. */
export function attachThrough(socket: string, token: string, hostId: string, sessionId: string) {
  const ws = new WebSocket(`ws+unix://${socket}:/ws/hosts/${hostId}/terminal/${sessionId}?cols=100&rows=30`, {
    headers: { authorization: `Bearer ${token}` },
  });
  let text = '';
  let closed: number | null = null;
  ws.on('message', (data: Buffer, binary: boolean) => {
    if (binary) text += data.toString('utf8');
    else {
      const frame = JSON.parse(data.toString()) as { type: string; data?: string };
      if (frame.type === 'output') text += frame.data ?? '';
    }
  });
  ws.on('close', (code) => (closed = code));
  ws.on('error', () => {
    // A refused or cut websocket ends in 'close', which the test looks at.
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`attach refused: ${res.statusCode}`)));
  });
  return { ws, opened, text: () => text, closed: () => closed, type: (s: string) => ws.send(JSON.stringify({ type: 'input', data: s })) };
}
