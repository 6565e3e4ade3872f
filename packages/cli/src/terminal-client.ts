import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { parseErrorBody } from '@rdv/client';
import { ServerFrameSchema, type ClientFrame, MAX_INPUT_FRAME_BYTES } from '@rdv/core/schemas';
import { CliError, EXIT } from './errors.js';

/** How a terminal connection ended. */
export type TerminalEnd =
  | { kind: 'exit'; code: number | null }
  | { kind: 'error'; message: string }
  | { kind: 'closed'; code: number; reason: string };

export interface TerminalConnection {
  /** Sends keyboard input, split into frames the service accepts. */
  input(data: string): void;
  resize(cols: number, rows: number): void;
  /** Stops reading output until resume() (flow control for a slow stdout). */
  pause(): void;
  resume(): void;
  /** Closes the socket (idempotent). */
  close(): void;
  /** Resolves once with how the connection ended. */
  readonly ended: Promise<TerminalEnd>;
}

export interface ConnectOptions {
  socketPath: string;
  sessionId: string;
  /** A session on another host: reached through the api (api.sock) and that host's link. */
  host?: string;
  token: string;
  cols: number;
  rows: number;
  /** Terminal bytes to show: text `output` frames and binary frames alike. */
  onOutput: (data: Buffer | string) => void;
  /**
   * An `error` frame: the service refused one frame (or dropped input) but the session
   * goes on. If the socket then closes abnormally, `ended` carries this message.
   */
  onNotice?: (message: string) => void;
  timeoutMs?: number;
}

// UTF-16 units; at most 3 UTF-8 bytes each, so a chunk stays under the frame limit.
const INPUT_CHUNK = Math.floor(MAX_INPUT_FRAME_BYTES / 4);

function refusal(status: number, body: string): CliError {
  // A plain-text refusal (e.g. "HTTP/1.1 401") is used as it is.
  const message = parseErrorBody(body)?.message ?? body.trim();
  if (status === 401) return new CliError(`the terminal service refused the CLI token${message ? `: ${message}` : ''}`);
  if (status === 404) return new CliError(`the terminal service does not know this session${message ? `: ${message}` : ''}`);
  return new CliError(`the terminal service refused to attach (HTTP ${status}${message ? `: ${message}` : ''})`);
}

/**
 * Opens `/ws/terminal/:id` on terminal.sock. Rejects with a CliError when the service is
 * not running (exit 3) or refuses the upgrade; after that, `ended` says how it finished.
 */
export function connectTerminal(o: ConnectOptions): Promise<TerminalConnection> {
  const base = o.host ? `/ws/hosts/${encodeURIComponent(o.host)}/terminal/` : '/ws/terminal/';
  const path = `${base}${encodeURIComponent(o.sessionId)}?cols=${o.cols}&rows=${o.rows}`;
  const ws = new WebSocket(`ws+unix://${o.socketPath}:${path}`, {
    headers: { authorization: `Bearer ${o.token}` },
    perMessageDeflate: false,
    handshakeTimeout: o.timeoutMs ?? 10_000,
  });
  let settleEnd!: (end: TerminalEnd) => void;
  let endedWith: TerminalEnd | null = null;
  let lastNotice: string | null = null;
  const ended = new Promise<TerminalEnd>((r) => (settleEnd = r));
  const end = (e: TerminalEnd) => {
    if (endedWith) return;
    endedWith = e;
    settleEnd(e);
  };
  const send = (frame: ClientFrame) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  };

  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) return o.onOutput(data);
    let parsed;
    try {
      parsed = ServerFrameSchema.safeParse(JSON.parse(data.toString('utf8')));
    } catch {
      // Not JSON: a frame this client does not understand; ignore it rather than drop the session.
      return;
    }
    if (!parsed.success) return;
    const frame = parsed.data;
    if (frame.type === 'output') o.onOutput(frame.data);
    else if (frame.type === 'exit') end({ kind: 'exit', code: frame.code });
    else if (frame.type === 'error') {
      lastNotice = frame.message;
      o.onNotice?.(frame.message);
    }
  });
  ws.on('close', (code: number, reason: Buffer) => {
    if (lastNotice && code !== 1000 && code !== 1001) end({ kind: 'error', message: lastNotice });
    else end({ kind: 'closed', code, reason: reason.toString('utf8') });
  });

  const connection: TerminalConnection = {
    input(data) {
      for (let i = 0; i < data.length; i += INPUT_CHUNK) send({ type: 'input', data: data.slice(i, i + INPUT_CHUNK) });
    },
    resize: (cols, rows) => send({ type: 'resize', cols: Math.max(2, Math.min(1000, cols)), rows: Math.max(2, Math.min(500, rows)) }),
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    close() {
      if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close(1000, 'detached');
    },
    ended,
  };

  return new Promise((resolveOpen, reject) => {
    let opened = false;
    ws.on('error', (err: NodeJS.ErrnoException) => {
      if (opened) return end({ kind: 'error', message: err.message });
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
        reject(new CliError(`the terminal service is not running (nothing answers on ${o.socketPath}); start rdv with \`rdv up\``, EXIT.notRunning));
      } else reject(new CliError(`cannot reach the terminal service: ${err.message}`));
    });
    ws.once('open', () => {
      opened = true;
      resolveOpen(connection);
    });
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      let body = '';
      const done = () => {
        reject(refusal(res.statusCode ?? 0, body));
        ws.terminate();
      };
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', done);
      res.on('error', done);
    });
  });
}
