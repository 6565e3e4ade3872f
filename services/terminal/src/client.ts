import type { Logger } from '@rdv/core/log';
import type { ServerFrame } from '@rdv/core/schemas';
import type { WebSocket } from 'ws';
import { encodeServerFrame, parseClientFrame, type OutputMode } from './frames.js';

/** What a client's frames are delivered to (its session hub). */
export interface ClientHandler {
  input(client: TerminalClient, data: string | Buffer): void;
  resize(client: TerminalClient, cols: number, rows: number): void;
  /** Some queued output reached the socket; `backlogBytes` is what is still queued. */
  drained(client: TerminalClient, backlogBytes: number): void;
  closed(client: TerminalClient): void;
}

/** One websocket attached to a session. */
export interface TerminalClient {
  readonly id: number;
  readonly sessionId: string;
  readonly userId: string;
  readonly outputMode: OutputMode;
  readonly cols: number;
  readonly rows: number;
  /** When it attached, typed or resized last (ms); the latest one's size wins. */
  readonly lastActiveAt: number;
  readonly closed: boolean;
  /** Bytes queued in the websocket and not yet handed to the socket. */
  readonly backlogBytes: number;
  setHandler(handler: ClientHandler): void;
  /** Sends one chunk of terminal output; `json` makes the JSON form when this client wants it. */
  sendOutput(chunk: Buffer, json: () => string): void;
  sendFrame(frame: ServerFrame): void;
  /** Closes after the queued output (close frame with `code`). Idempotent. */
  close(code: number, reason: string): void;
  /** Keep-alive tick: drops the client when it has been silent too long, else pings it. */
  heartbeat(now: number, timeoutMs: number): void;
  /** Cuts the connection at once. Idempotent. */
  terminate(): void;
}

export interface CreateClientOptions {
  id: number;
  ws: WebSocket;
  sessionId: string;
  userId: string;
  outputMode: OutputMode;
  cols: number;
  rows: number;
  log: Logger;
}

/**
 * Wraps an accepted websocket: validates every frame (a bad one gets an `error` frame,
 * never an exception), answers `ping`, and reports input, resize, drain and close to
 * its handler. Frames that arrive before a handler is set are dropped.
 */
export function createTerminalClient(options: CreateClientOptions): TerminalClient {
  const { ws, log } = options;
  let handler: ClientHandler | null = null;
  let cols = options.cols;
  let rows = options.rows;
  let lastActiveAt = Date.now();
  let lastSeenAt = Date.now();
  let closed = false;

  // Called by ws once a frame has been handed to the socket: the backlog shrank.
  const afterSend = (err?: Error) => {
    if (err || closed || !handler) return;
    handler.drained(client, ws.bufferedAmount);
  };
  const sendText = (text: string) => {
    if (!closed && ws.readyState === ws.OPEN) ws.send(text, afterSend);
  };

  const client: TerminalClient = {
    id: options.id,
    sessionId: options.sessionId,
    userId: options.userId,
    outputMode: options.outputMode,
    get cols() {
      return cols;
    },
    get rows() {
      return rows;
    },
    get lastActiveAt() {
      return lastActiveAt;
    },
    get closed() {
      return closed;
    },
    get backlogBytes() {
      return ws.bufferedAmount;
    },
    setHandler(h) {
      handler = h;
    },
    sendOutput(chunk, json) {
      if (closed || ws.readyState !== ws.OPEN) return;
      if (options.outputMode === 'binary') ws.send(chunk, { binary: true }, afterSend);
      else ws.send(json(), afterSend);
    },
    sendFrame(frame) {
      sendText(encodeServerFrame(frame));
    },
    close(code, reason) {
      if (ws.readyState === ws.OPEN) ws.close(code, reason);
    },
    heartbeat(now, timeoutMs) {
      if (closed) return;
      if (now - lastSeenAt > timeoutMs) {
        log.info({ clientId: options.id, silentMs: now - lastSeenAt }, 'dropping a client that stopped answering pings');
        client.terminate();
        return;
      }
      if (ws.readyState === ws.OPEN) ws.ping();
    },
    terminate() {
      ws.terminate();
    },
  };

  ws.on('pong', () => {
    lastSeenAt = Date.now();
  });
  ws.on('message', (data, isBinary) => {
    lastSeenAt = Date.now();
    if (closed) return;
    const parsed = parseClientFrame(data, isBinary);
    if (!parsed.ok) {
      log.debug({ clientId: options.id, reason: parsed.message }, 'refused a client frame');
      client.sendFrame({ type: 'error', message: parsed.message });
      return;
    }
    const frame = parsed.frame;
    if (frame.type === 'ping') {
      client.sendFrame({ type: 'pong' });
    } else if (frame.type === 'resize') {
      cols = frame.cols;
      rows = frame.rows;
      lastActiveAt = Date.now();
      handler?.resize(client, cols, rows);
    } else {
      lastActiveAt = Date.now();
      handler?.input(client, frame.data);
    }
  });
  ws.on('error', (err) => {
    // A protocol error (bad frame bits, a message over maxPayload): ws closes the socket itself.
    log.debug({ clientId: options.id, err: err.message }, 'websocket error');
  });
  ws.on('close', () => {
    if (closed) return;
    closed = true;
    handler?.closed(client);
  });
  return client;
}
