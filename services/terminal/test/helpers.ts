// Test rig: a temp RDV_HOME with a migrated database, the owner and a session on a
// private tmux socket, the real terminal service on its unix socket, and ws clients.
import { join } from 'node:path';
import { createToken, ensureOwner, openServiceTokenStore, resolveUserByEmail } from '@rdv/core/auth';
import { loadConfig, type RdvConfig } from '@rdv/core/config';
import { openDb, type DbHandle } from '@rdv/core/db';
import { createEventBus } from '@rdv/core/events';
import { createFolderService } from '@rdv/core/folder';
import { createShutdown } from '@rdv/core/lifecycle';
import { createSilentLogger } from '@rdv/core/log';
import type { Session, User } from '@rdv/core/schemas';
import { createSessionService, type SessionService } from '@rdv/core/session';
import { useRdvEnv, waitFor } from '@rdv/core/testing';
import type { Tmux } from '@rdv/core/tmux';
import { onTestFinished } from 'vitest';
import WebSocket from 'ws';
import type { TerminalLimits } from '../src/app.js';
import { startTerminal, type RunningTerminal } from '../src/server.js';
import { trackClient, trackService, trackTmux } from './leaks.js';

export interface Rig {
  home: string;
  config: RdvConfig;
  env: Record<string, string>;
  db: DbHandle;
  tmux: Tmux;
  sessions: SessionService;
  owner: User;
  cliToken: string;
  serviceToken: string;
  newSession(name?: string, userId?: string): Promise<Session>;
  otherUser(): { user: User; token: string };
}

/** RDV_HOME, database, owner, tokens and tmux for one test; the service is not started. */
export async function useRig(): Promise<Rig> {
  const { home, tmux, env } = useRdvEnv('test', { prefix: 'rdvt-' });
  trackTmux(tmux);
  const config = loadConfig({ env });
  const db = openDb({ path: config.paths.db, migrate: true });
  onTestFinished(() => db.dispose());
  const log = createSilentLogger();
  const { owner } = ensureOwner(db.db, { email: '', cliTokenPath: config.paths.cliToken, log });
  const cli = createToken(db.db, { userId: owner.id, kind: 'cli', name: 'test' });
  const serviceToken = openServiceTokenStore(config.paths.serviceToken, { create: true, graceMs: 0 }).current();
  const events = createEventBus(db.db);
  const sessions = createSessionService({
    db: db.db,
    tmux,
    folders: createFolderService({ db: db.db, events }),
    events,
    log,
    shell: '/bin/sh',
    defaultCwd: home,
    apiSocket: config.paths.apiSocket,
    exitStatusDir: config.paths.exitStatusDir,
  });
  let n = 0;
  return {
    home,
    config,
    env,
    db,
    tmux,
    sessions,
    owner,
    cliToken: cli.token,
    serviceToken,
    newSession: (name = `s${++n}`, userId = owner.id) => sessions.create(userId, { name, kind: 'shell', cwd: home }),
    otherUser() {
      const user = resolveUserByEmail(db.db, `other-${++n}@example.com`);
      return { user, token: createToken(db.db, { userId: user.id, kind: 'cli', name: 'other' }).token };
    },
  };
}

/** The real service (startTerminal) on the rig's RDV_HOME; shut down after the test. */
export async function startService(rig: Rig, limits?: Partial<TerminalLimits>): Promise<RunningTerminal & { stop(): Promise<void> }> {
  const log = createSilentLogger();
  const shutdown = createShutdown(log, 5000);
  const running = await startTerminal(rig.config, log, shutdown, limits);
  trackService(running.terminal);
  onTestFinished(() => shutdown.shutdown('test done'));
  return { ...running, stop: () => shutdown.shutdown('test') };
}

export interface TestClient {
  ws: WebSocket;
  /** Output so far, decoded as UTF-8 (binary and JSON output frames alike). */
  text(): string;
  bytes(): number;
  /** How many output frames arrived of each kind: raw bytes in binary frames, or JSON `output` text frames. */
  outputFrames: { binary: number; json: number };
  /** Non-output frames (exit, error, pong) in arrival order. */
  frames: Array<Record<string, unknown>>;
  closeCode: Promise<number>;
  send(frame: unknown): void;
  type(text: string): void;
  waitForText(needle: string | RegExp, what?: string, timeoutMs?: number): Promise<void>;
  waitForFrame(type: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  clear(): void;
}

/** Opens a websocket to a session; resolves once it is open (rejects on a refused upgrade). */
export function connect(
  socketPath: string,
  sessionId: string,
  options: { headers?: Record<string, string>; query?: string; keepText?: boolean; autoPong?: boolean } = {},
): Promise<TestClient> {
  const ws = new WebSocket(`ws+unix://${socketPath}:/ws/terminal/${sessionId}${options.query ? `?${options.query}` : ''}`, {
    headers: options.headers,
    autoPong: options.autoPong ?? true,
  });
  const keep = options.keepText ?? true;
  // Chunks are joined only when asked for: the service shares this event loop in tests,
  // and copying the text on every frame would slow it down.
  let parts: string[] = [];
  let partsLength = 0;
  let count = 0;
  const decoder = new TextDecoder();
  const frames: Array<Record<string, unknown>> = [];
  const outputFrames = { binary: 0, json: 0 };
  const keepText = (text: string) => {
    if (!keep) return;
    parts.push(text);
    partsLength += text.length;
    if (partsLength > 400_000) {
      const joined = parts.join('').slice(-200_000);
      parts = [joined];
      partsLength = joined.length;
    }
  };
  const text = () => {
    if (parts.length > 1) parts = [parts.join('')];
    return parts[0] ?? '';
  };
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) {
      outputFrames.binary++;
      count += data.length;
      keepText(decoder.decode(data, { stream: true }));
      return;
    }
    const frame = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
    if (frame.type === 'output') {
      outputFrames.json++;
      count += Buffer.byteLength(String(frame.data));
      keepText(String(frame.data));
    } else frames.push(frame);
  });
  const closeCode = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  trackClient(ws);
  onTestFinished(() => ws.terminate());
  const client: TestClient = {
    ws,
    text,
    bytes: () => count,
    outputFrames,
    frames,
    closeCode,
    send: (frame) => ws.send(JSON.stringify(frame)),
    type: (text) => ws.send(JSON.stringify({ type: 'input', data: text })),
    async waitForText(needle, what, timeoutMs = 10_000) {
      await waitFor(() => (typeof needle === 'string' ? text().includes(needle) : needle.test(text())), what ?? `output ${String(needle)}`, timeoutMs);
    },
    waitForFrame: (type, timeoutMs = 10_000) => waitFor(() => frames.find((f) => f.type === type), `a ${type} frame`, timeoutMs),
    clear: () => {
      parts = [];
      partsLength = 0;
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode} ${body}`), { status: res.statusCode, body })));
    });
    ws.once('error', reject);
  });
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A command line whose output contains `MARK<tag>` but whose echo does not. */
export const markCommand = (tag: string, before = '') => `${before}printf 'MARK%s\\n' ${tag}\r`;

export const socketOf = (rig: Rig) => join(rig.config.paths.runDir, 'terminal.sock');
