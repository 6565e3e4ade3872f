import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { loadConfig, type RdvConfig } from '@rdv/core/config';
import { createShutdown, socketRequest, type ApiResponse } from '@rdv/core/lifecycle';
import { createSilentLogger } from '@rdv/core/log';
import { useRdvEnv } from '@rdv/core/testing';
import { startApi } from '../src/server.js';

export interface TestApi {
  config: RdvConfig;
  home: string;
  socket: string;
  ownerToken: string;
  ownerId: string;
  tmuxSocket: string;
  call<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  as(token: string): TestApi['call'];
  stop(): Promise<void>;
}

/** Boots the real api in this process on a temp RDV_HOME and tmux socket; stopped (and that tmux server killed) after the file. */
export async function useApi(extraEnv: Record<string, string> = {}): Promise<TestApi> {
  const { home, env } = useRdvEnv('file', { prefix: 'rdv-api-', env: { RDV_LOG_LEVEL: 'silent', ...extraEnv } });
  const config = loadConfig({ env });
  const shutdown = createShutdown(createSilentLogger(), 5000);
  const running = await startApi(config, createSilentLogger(), shutdown);
  const ownerToken = readFileSync(join(home, 'cli-token'), 'utf8').trim();
  const as =
    (token: string) =>
    <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      socketRequest<T>(running.socketPath, path, { method, body, headers: { authorization: `Bearer ${token}`, ...headers } });
  const api: TestApi = {
    config,
    home,
    socket: running.socketPath,
    ownerToken,
    ownerId: running.ownerId,
    tmuxSocket: config.tmux.socket,
    call: as(ownerToken),
    as,
    stop: () => shutdown.shutdown('test done'),
  };
  afterAll(() => api.stop());
  return api;
}

export interface SseEvent {
  id?: string;
  event?: string;
  data: any;
}

/** Opens /api/events and collects parsed events until close(). */
export function openSse(socketPath: string, token: string, lastEventId?: number) {
  const events: SseEvent[] = [];
  let status = 0;
  const req = request({
    socketPath,
    path: '/api/events',
    headers: { authorization: `Bearer ${token}`, ...(lastEventId !== undefined ? { 'last-event-id': String(lastEventId) } : {}) },
  });
  req.on('response', (res) => {
    status = res.statusCode ?? 0;
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      let idx;
      while ((idx = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, idx);
        buf = buf.slice(idx + 2);
        const ev: SseEvent = { data: undefined };
        for (const line of block.split('\n')) {
          if (line.startsWith('id: ')) ev.id = line.slice(4);
          else if (line.startsWith('event: ')) ev.event = line.slice(7);
          else if (line.startsWith('data: ')) ev.data = JSON.parse(line.slice(6));
        }
        if (ev.event) events.push(ev);
      }
    });
  });
  req.on('error', () => {
    // The server closing the stream at shutdown is expected.
  });
  req.end();
  return { events, status: () => status, close: () => req.destroy() };
}

/** POSTs a raw body (for malformed JSON). */
export function rawPost(socketPath: string, path: string, body: string, token: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, path, method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
