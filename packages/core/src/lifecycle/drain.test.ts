import { createServer, request, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import { useTempDir } from '../testing/index.js';
import { disposer, listenUnix, readListenFile, refuseUpgrade, writeListenFile } from './index.js';

/** A GET over the unix socket: its status and body, or the error that ended it. */
const get = (socketPath: string, path: string) =>
  new Promise<{ status: number; body: string } | { error: string }>((resolveGet) => {
    const req = request({ socketPath, path }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
      res.on('error', (err) => resolveGet({ error: err.message }));
    });
    req.on('error', (err) => resolveGet({ error: err.message }));
    req.end();
  });

describe('disposer', () => {
  it('stops accepting, ends streams with 1001, lets a request finish and cuts one past the deadline', async () => {
    const socketPath = join(useTempDir(), 's.sock');
    const held: ServerResponse[] = [];
    let inFlight = 0;
    const server = createServer((req, res) => {
      inFlight++;
      res.on('close', () => inFlight--);
      if (req.url === '/slow') setTimeout(() => res.end('done'), 150);
      else held.push(res); // never answered by itself
    });
    await listenUnix(server, socketPath);
    const slow = get(socketPath, '/slow');
    const stuck = get(socketPath, '/stuck');
    await new Promise<void>((r) => {
      const poll = () => (inFlight === 2 ? r() : setTimeout(poll, 5));
      poll();
    });
    const streams: Array<[number, string]> = [];
    const started = Date.now();
    const drain = disposer(server, {
      deadlineMs: 600,
      pending: () => inFlight,
      closeStreams: (code, reason) => void streams.push([code, reason]),
      reason: 'bye',
    });
    const drained = drain.dispose();
    expect(await get(socketPath, '/late')).toHaveProperty('error');
    await drained;
    const took = Date.now() - started;
    expect(streams).toEqual([[1001, 'bye']]);
    expect(await slow).toEqual({ status: 200, body: 'done' });
    expect(await stuck).toHaveProperty('error');
    expect(took).toBeGreaterThanOrEqual(550);
    expect(server.listening).toBe(false);
  });

  it('returns at once when nothing is in flight', async () => {
    const server = createServer(() => {});
    await listenUnix(server, join(useTempDir(), 's.sock'));
    const started = Date.now();
    await disposer(server, { deadlineMs: 5000, pending: () => 0 }).dispose();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('refuseUpgrade', () => {
  it('answers a plain HTTP status with the error body and Retry-After, then closes the socket', async () => {
    const socketPath = join(useTempDir(), 'u.sock');
    const server = createServer();
    server.on('upgrade', (_req, socket) => refuseUpgrade(socket, new AppError('rate_limited', 'slow down', { retryAfterMs: 1500 })));
    await listenUnix(server, socketPath);
    const reply = await new Promise<string>((resolveReply, reject) => {
      const client = connect(socketPath, () => client.write('GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'));
      let text = '';
      client.on('data', (c: Buffer) => (text += c.toString()));
      client.on('close', () => resolveReply(text));
      client.on('error', reject);
    });
    server.close();
    const [head, body] = reply.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\n/);
    expect(head).toMatch(/\r\nRetry-After: 2(\r\n|$)/);
    expect(JSON.parse(body!)).toEqual({ error: { code: 'rate_limited', message: 'slow down' } });
  });
});

describe('listen files', () => {
  it('record where a live process listens (0600), are ignored when stale or invalid, and are removed by their writer', () => {
    const dir = useTempDir();
    const path = join(dir, 'run', 'web.json');
    expect(readListenFile(path)).toBeNull();
    const remove = writeListenFile(path, { url: 'http://127.0.0.1:43210' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'run')).mode & 0o777).toBe(0o700);
    expect(readListenFile(path)).toEqual({ pid: process.pid, url: 'http://127.0.0.1:43210' });
    remove();
    expect(existsSync(path)).toBe(false);
    writeFileSync(path, JSON.stringify({ pid: 999_999_999, socket: '/tmp/web.sock' }));
    expect(readListenFile(path)).toBeNull();
    expect(readListenFile(path, { requireAlive: false })).toEqual({ pid: 999_999_999, socket: '/tmp/web.sock' });
    writeFileSync(path, '{"pid": 1, "url": "not a url"}');
    expect(readListenFile(path, { requireAlive: false })).toBeNull();
  });
});
