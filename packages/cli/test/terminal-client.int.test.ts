// The terminal websocket client against a stand-in server on a unix socket: JSON and
// binary output, input chunking, resize, exit, and refusals at upgrade.
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_INPUT_FRAME_BYTES } from '@rdv/core/schemas';
import { useTempDir, waitFor } from '@rdv/core/testing';
import { EXIT } from '../src/errors.js';
import { connectTerminal } from '../src/terminal-client.js';

const servers: { server: Server; wss: WebSocketServer }[] = [];
afterEach(async () => {
  for (const { server, wss } of servers.splice(0)) {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

async function serve(onConnection: (ws: WebSocket, url: string) => void, refuse?: number): Promise<string> {
  const socket = join(useTempDir(), 't.sock');
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer();
  servers.push({ server, wss });
  server.on('upgrade', (req, sock, head) => {
    if (refuse) {
      sock.end(`HTTP/1.1 ${refuse} Nope\r\ncontent-type: application/json\r\n\r\n{"error":{"code":"unauthorized","message":"bad token"}}`);
      return;
    }
    wss.handleUpgrade(req, sock, head, (ws) => onConnection(ws, req.url ?? ''));
  });
  await new Promise<void>((r) => server.listen(socket, r));
  return socket;
}

const base = { sessionId: 'abc', token: 't', cols: 90, rows: 30 };

describe('connectTerminal', () => {
  it('delivers text and binary output, sends input in frames under the limit, resizes, and ends on exit', async () => {
    const received: any[] = [];
    let url = '';
    const socket = await serve((ws, u) => {
      url = u;
      ws.on('message', (data: Buffer) => received.push(JSON.parse(data.toString())));
      ws.send(JSON.stringify({ type: 'output', data: 'text-' }));
      ws.send(Buffer.from('bytes'), { binary: true });
    });
    const output: string[] = [];
    const conn = await connectTerminal({ ...base, socketPath: socket, onOutput: (d) => output.push(d.toString()) });
    expect(url).toBe('/ws/terminal/abc?cols=90&rows=30');
    await waitFor(() => output.join('') === 'text-bytes', 'both kinds of output');

    conn.input('x'.repeat(MAX_INPUT_FRAME_BYTES));
    conn.resize(5000, 1);
    await waitFor(() => received.some((f) => f.type === 'resize'), 'resize frame');
    const inputs = received.filter((f) => f.type === 'input');
    expect(inputs.length).toBeGreaterThan(1);
    expect(inputs.map((f) => f.data).join('')).toHaveLength(MAX_INPUT_FRAME_BYTES);
    expect(received.find((f) => f.type === 'resize')).toEqual({ type: 'resize', cols: 1000, rows: 2 });

    conn.close();
    expect((await conn.ended).kind).toBe('closed');
  });

  it('reports exit; an error frame is a notice and the session goes on', async () => {
    const socket = await serve((ws) => ws.send(JSON.stringify({ type: 'exit', code: 3 })));
    const conn = await connectTerminal({ ...base, socketPath: socket, onOutput: () => {} });
    expect(await conn.ended).toEqual({ kind: 'exit', code: 3 });

    const socket2 = await serve((ws) => {
      ws.send(JSON.stringify({ type: 'error', message: 'frame refused' }));
      ws.send(JSON.stringify({ type: 'output', data: 'still here' }));
      ws.on('message', () => ws.close(4500, 'bye'));
    });
    const notices: string[] = [];
    const output: string[] = [];
    const conn2 = await connectTerminal({ ...base, socketPath: socket2, onOutput: (d) => output.push(String(d)), onNotice: (m) => notices.push(m) });
    await waitFor(() => output.includes('still here'), 'output after the notice');
    expect(notices).toEqual(['frame refused']);
    conn2.input('x');
    // Closed abnormally after a notice: the notice is the reason given.
    expect(await conn2.ended).toEqual({ kind: 'error', message: 'frame refused' });
  });

  it('turns a refused upgrade into a message, and a missing socket into "not running" (exit 3)', async () => {
    const socket = await serve(() => {}, 401);
    await expect(connectTerminal({ ...base, socketPath: socket, onOutput: () => {} })).rejects.toThrow(
      'the terminal service refused the CLI token: bad token',
    );
    const missing = connectTerminal({ ...base, socketPath: join(useTempDir(), 'none.sock'), onOutput: () => {} });
    await expect(missing).rejects.toMatchObject({ exitCode: EXIT.notRunning, message: expect.stringMatching(/terminal service is not running/) });
  });
});
