import { MAX_INPUT_FRAME_BYTES, ServerFrameSchema, type ClientFrame } from '@rdv/core/schemas';

export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | {
      kind: 'reconnecting';
      attempt: number;
      retryAt: number;
      reason: string;
      /** Characters typed since the connection dropped, sent once it is back. */
      heldChars: number;
      /** The hold is full: what is typed now is not kept. */
      inputPaused: boolean;
    }
  | { kind: 'exited'; code: number | null }
  | { kind: 'failed'; code: number; message: string };

export interface TerminalSocketHandlers {
  /** Terminal bytes: a string from JSON frames, raw UTF-8 from binary frames. */
  onOutput(data: string | Uint8Array): void;
  onState(state: ConnectionState): void;
  /** A (re)connection is about to draw the screen afresh: clear what is shown (not before, so an outage keeps the last screen). */
  onAttach(): void;
}

const BACKOFF_MS = [400, 1000, 2000, 4000, 8000, 15_000];
const PING_EVERY_MS = 25_000;
const SILENCE_LIMIT_MS = 70_000;
/** Typing kept while (re)connecting, sent in order once attached; more than this is refused, not truncated. */
const HOLD_LIMIT_CHARS = 4096;
/** An open socket that has said nothing for this long counts as attached (tmux normally draws at once). */
const ATTACH_GRACE_MS = 2000;
/** The edge answers 4503 at once while the terminal service is down: keep trying briskly for its restart. */
const SERVICE_DOWN_MAX_BACKOFF_MS = 2000;
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
  private held = '';
  private inputPaused = false;
  private attached = false;
  private disposed = false;
  private size: { cols: number; rows: number } = { cols: 80, rows: 24 };
  /** The size in the URL of the current attempt: a resize while it was pending is sent on attach. */
  private sizeAtOpen: { cols: number; rows: number } = { cols: 80, rows: 24 };

  constructor(
    private readonly sessionId: string,
    private readonly handlers: TerminalSocketHandlers,
    /** The host the session runs on (its id); absent: this machine. */
    private readonly hostId?: string,
  ) {}

  get current(): ConnectionState {
    return this.state;
  }

  connect(cols: number, rows: number): void {
    this.size = { cols, rows };
    this.open();
  }

  /**
   * Sends typed or pasted text. While (re)connecting it is held (up to HOLD_LIMIT_CHARS,
   * whole pieces only) and sent on the new connection; the state says how much is held.
   */
  send(data: string): void {
    if (this.attached && this.ws?.readyState === WebSocket.OPEN) {
      for (const chunk of chunkInput(data)) this.frame({ type: 'input', data: chunk });
      return;
    }
    // 'open' with a socket that is closing: hold it for the next connection too.
    if (this.state.kind === 'exited' || this.state.kind === 'failed') return;
    if (this.held.length + data.length > HOLD_LIMIT_CHARS) this.inputPaused = true;
    else this.held += data;
    if (this.state.kind === 'reconnecting') this.setState({ ...this.state, heldChars: this.held.length, inputPaused: this.inputPaused });
  }

  resize(cols: number, rows: number): void {
    if (cols === this.size.cols && rows === this.size.rows) return;
    this.size = { cols, rows };
    if (this.attached && this.ws?.readyState === WebSocket.OPEN) this.frame({ type: 'resize', cols, rows });
  }

  /** Skips the backoff wait (the person clicked "Retry now", or the page became visible). */
  retryNow(): void {
    if (this.disposed || this.state.kind === 'open' || this.state.kind === 'connecting') return;
    // An attempt already under way (the socket is open, waiting for the screen) is not doubled.
    if (this.state.kind === 'exited' || this.ws) return;
    this.attempt = 0;
    this.open();
  }

  dispose(): void {
    this.disposed = true;
    this.held = '';
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
    const onHost = this.hostId ? `&host=${encodeURIComponent(this.hostId)}` : '';
    const url = `${scheme}://${location.host}/ws/terminal/${encodeURIComponent(this.sessionId)}?cols=${this.size.cols}&rows=${this.size.rows}${onHost}`;
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.attached = false;
    // The edge completes the handshake even to refuse (4503 while the terminal service is
    // down), so an open socket is not yet a terminal: attached means the screen has started
    // to arrive. Until then the old screen stays and typing is held.
    const attach = () => {
      if (this.attached || this.ws !== ws) return;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.attached = true;
      this.attempt = 0;
      this.inputPaused = false;
      this.handlers.onAttach();
      this.setState({ kind: 'open' });
      if (this.size.cols !== this.sizeAtOpen.cols || this.size.rows !== this.sizeAtOpen.rows) this.frame({ type: 'resize', ...this.size });
      const held = this.held;
      this.held = '';
      if (held) this.send(held);
      this.ping = setInterval(() => {
        if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS) ws.close(4000, 'no answer');
        else this.frame({ type: 'ping' });
      }, PING_EVERY_MS);
    };
    this.sizeAtOpen = { ...this.size };
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      this.timer = setTimeout(attach, ATTACH_GRACE_MS);
    };
    ws.onmessage = (ev: MessageEvent<string | ArrayBuffer>) => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      if (typeof ev.data !== 'string') {
        attach();
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
      if (frame.type === 'exit') {
        this.held = '';
        this.setState({ kind: 'exited', code: frame.code });
        return;
      }
      attach();
      if (frame.type === 'output') this.handlers.onOutput(frame.data);
      else if (frame.type === 'error') this.handlers.onOutput(`\r\n\x1b[2m[rdv] ${frame.message}\x1b[0m\r\n`);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.clearTimers();
      if (this.disposed || this.state.kind === 'exited') return;
      if (FINAL_CODES.has(ev.code)) {
        this.held = '';
        this.setState({ kind: 'failed', code: ev.code, message: ev.reason || 'the terminal is not available' });
        return;
      }
      const reason = this.attached ? 'connection lost' : ev.code === 4401 ? 'not signed in' : ev.reason || 'cannot reach rdv';
      this.attached = false;
      this.scheduleRetry(reason, ev.code === 4503);
    };
    // The close event that follows says what happened; nothing to add here.
    ws.onerror = () => {};
  }

  private scheduleRetry(reason: string, serviceDown: boolean): void {
    let base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)]!;
    if (serviceDown) base = Math.min(base, SERVICE_DOWN_MAX_BACKOFF_MS);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.attempt++;
    this.setState({ kind: 'reconnecting', attempt: this.attempt, retryAt: Date.now() + delay, reason, heldChars: this.held.length, inputPaused: this.inputPaused });
    this.timer = setTimeout(() => this.open(), delay);
  }
}
