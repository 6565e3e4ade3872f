import { MAX_INPUT_FRAME_BYTES, ServerFrameSchema, type ClientFrame } from '@rdv/core/schemas';

export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'reconnecting'; attempt: number; retryAt: number; reason: string }
  | { kind: 'exited'; code: number | null }
  | { kind: 'failed'; code: number; message: string };

export interface TerminalSocketHandlers {
  /** Terminal bytes: a string from JSON frames, raw UTF-8 from binary frames. */
  onOutput(data: string | Uint8Array): void;
  onState(state: ConnectionState): void;
  /** A (re)connection is about to draw the screen afresh: clear what is shown. */
  onAttach(): void;
}

const BACKOFF_MS = [400, 1000, 2000, 4000, 8000, 15_000];
const PING_EVERY_MS = 25_000;
const SILENCE_LIMIT_MS = 70_000;
const QUEUE_LIMIT_CHARS = 4096;
/** Characters per input frame: at most 3 UTF-8 bytes each, so a frame stays under the service's limit. */
const CHUNK_CHARS = Math.floor(MAX_INPUT_FRAME_BYTES / 4);

/** Close codes that retrying cannot fix (4000 + HTTP status: not found, conflict, forbidden, bad input). */
const FINAL_CODES = new Set([4400, 4403, 4404, 4409, 4410]);

/** Splits text into frames of at most CHUNK_CHARS without cutting a surrogate pair. */
export function chunkInput(data: string): string[] {
  if (data.length <= CHUNK_CHARS) return [data];
  const out: string[] = [];
  let i = 0;
  while (i < data.length) {
    let end = Math.min(i + CHUNK_CHARS, data.length);
    const last = data.charCodeAt(end - 1);
    if (end < data.length && last >= 0xd800 && last <= 0xdbff) end--;
    out.push(data.slice(i, end));
    i = end;
  }
  return out;
}

/**
 * One session's terminal websocket through the edge, reconnecting with backoff until
 * disposed, the session exits, or the server says retrying is pointless (4404, 4409…).
 */
export class TerminalSocket {
  private ws: WebSocket | null = null;
  private state: ConnectionState = { kind: 'connecting' };
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private ping: ReturnType<typeof setInterval> | null = null;
  private lastHeard = 0;
  private queue = '';
  private disposed = false;
  private size: { cols: number; rows: number } = { cols: 80, rows: 24 };

  constructor(
    private readonly sessionId: string,
    private readonly handlers: TerminalSocketHandlers,
  ) {}

  get current(): ConnectionState {
    return this.state;
  }

  connect(cols: number, rows: number): void {
    this.size = { cols, rows };
    this.open();
  }

  /** Sends typed or pasted text; while (re)connecting a little is kept and sent on open. */
  send(data: string): void {
    if (this.ws?.readyState === WebSocket.OPEN) {
      for (const chunk of chunkInput(data)) this.frame({ type: 'input', data: chunk });
    } else if (this.state.kind === 'connecting' || this.state.kind === 'reconnecting') {
      this.queue = (this.queue + data).slice(-QUEUE_LIMIT_CHARS);
    }
  }

  resize(cols: number, rows: number): void {
    if (cols === this.size.cols && rows === this.size.rows) return;
    this.size = { cols, rows };
    if (this.ws?.readyState === WebSocket.OPEN) this.frame({ type: 'resize', cols, rows });
  }

  /** Skips the backoff wait (the person clicked "Retry now", or the page became visible). */
  retryNow(): void {
    if (this.disposed || this.state.kind === 'open' || this.state.kind === 'connecting') return;
    if (this.state.kind === 'exited') return;
    this.attempt = 0;
    this.open();
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000);
  }

  private frame(frame: ClientFrame): void {
    this.ws?.send(JSON.stringify(frame));
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.handlers.onState(state);
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.ping) clearInterval(this.ping);
    this.timer = null;
    this.ping = null;
  }

  private open(): void {
    if (this.disposed) return;
    this.clearTimers();
    if (this.state.kind !== 'reconnecting') this.setState({ kind: 'connecting' });
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const url = `${scheme}://${location.host}/ws/terminal/${encodeURIComponent(this.sessionId)}?cols=${this.size.cols}&rows=${this.size.rows}`;
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    let attached = false;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.attempt = 0;
      this.lastHeard = Date.now();
      this.handlers.onAttach();
      attached = true;
      this.setState({ kind: 'open' });
      if (this.queue) {
        const pending = this.queue;
        this.queue = '';
        this.send(pending);
      }
      this.ping = setInterval(() => {
        if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS) ws.close(4000, 'no answer');
        else this.frame({ type: 'ping' });
      }, PING_EVERY_MS);
    };
    ws.onmessage = (ev: MessageEvent<string | ArrayBuffer>) => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      if (typeof ev.data !== 'string') {
        this.handlers.onOutput(new Uint8Array(ev.data));
        return;
      }
      let parsed;
      try {
        parsed = ServerFrameSchema.safeParse(JSON.parse(ev.data));
      } catch {
        return;
      }
      if (!parsed.success) return;
      const frame = parsed.data;
      if (frame.type === 'output') this.handlers.onOutput(frame.data);
      else if (frame.type === 'exit') this.setState({ kind: 'exited', code: frame.code });
      else if (frame.type === 'error') this.handlers.onOutput(`\r\n\x1b[2m[rdv] ${frame.message}\x1b[0m\r\n`);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.clearTimers();
      if (this.disposed || this.state.kind === 'exited') return;
      if (FINAL_CODES.has(ev.code)) {
        this.setState({ kind: 'failed', code: ev.code, message: ev.reason || 'the terminal is not available' });
        return;
      }
      this.scheduleRetry(attached ? 'connection lost' : ev.code === 4401 ? 'not signed in' : ev.reason || 'cannot reach rdv');
    };
    // The close event that follows says what happened; nothing to add here.
    ws.onerror = () => {};
  }

  private scheduleRetry(reason: string): void {
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)]!;
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempt++;
    this.setState({ kind: 'reconnecting', attempt: this.attempt, retryAt: Date.now() + delay, reason });
    this.timer = setTimeout(() => this.open(), delay);
  }
}
