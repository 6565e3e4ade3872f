import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { parseErrorBody } from '@rdv/client';
import { AppError } from '@rdv/core/errors';
import { refuseUpgrade } from '@rdv/core/lifecycle';
import type { Logger } from '@rdv/core/log';
import { ClientFrameSchema, IdSchema, TerminalQuerySchema } from '@rdv/core/schemas';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { upstreamHeaders, type Identity } from './headers.js';

/** Bytes queued towards a browser before the terminal stream is paused, and when it resumes. */
const HIGH_WATER_BYTES = 1 << 20;
const LOW_WATER_BYTES = 256 << 10;
const HEARTBEAT_MS = 30_000;
/** A host id or name as `?host=` may carry it to the api. */
const HOST_PARAM = /^[\p{L}\p{N}][\p{L}\p{N} ._\-+#@:()[\]]{0,63}$/u;

export interface TerminalBridge {
  /**
   * Takes over an authenticated upgrade for /ws/terminal/:id and bridges it to terminal.sock.
   * `track` is told of the bridge once it is open, with a way to close it, and returns its removal.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, identity: Identity, track?: BridgeTracker): void;
  /** Closes every bridged websocket (1001 on shutdown). */
  closeAll(code: number, reason: string): void;
  readonly size: number;
  dispose(): void;
}

/** Registers an open bridge (for revocation and per-user caps); returns its removal. */
export type BridgeTracker = (close: (code: number, reason: string) => void) => () => void;

/** A close code the browser may receive: ours (4xxx), the services' or a normal one. */
const forwardableCode = (code: number) => (code === 1000 || code === 1001 || (code >= 3000 && code < 5000) ? code : 1011);

/**
 * Bridges browser websockets to the terminal service frame by frame: text stays text,
 * binary stays binary, nothing is buffered beyond the socket's own queue. A slow browser
 * pauses the terminal stream (high/low watermarks) instead of growing memory.
 */
export function createTerminalBridge(options: { socketPath: string; apiSocketPath?: string; log: Logger }): TerminalBridge {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1 << 20 });
  const live = new Set<{ browser: WebSocket; upstream: WebSocket }>();
  const alive = new WeakMap<WebSocket, boolean>();
  const heartbeat = setInterval(() => {
    for (const { browser } of live) {
      if (alive.get(browser) === false) browser.terminate();
      else {
        alive.set(browser, false);
        browser.ping();
      }
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const bridge = (browser: WebSocket, upstream: WebSocket, log: Logger, track?: BridgeTracker) => {
    const pair = { browser, upstream };
    live.add(pair);
    const untrack = track?.((code, reason) => {
      browser.close(code, reason.slice(0, 120));
      upstream.close(1000);
    });
    alive.set(browser, true);
    browser.on('pong', () => alive.set(browser, true));
    // Paused above the high watermark; each frame's write completing checks the low one, so the
    // stream resumes the moment the browser has caught up (no polling delay on a fast link).
    let paused = false;
    const resumeIfDrained = () => {
      if (!paused || (browser.readyState === WebSocket.OPEN && browser.bufferedAmount >= LOW_WATER_BYTES)) return;
      paused = false;
      if (upstream.readyState === WebSocket.OPEN) upstream.resume();
    };
    upstream.on('message', (data: RawData, isBinary: boolean) => {
      if (browser.readyState !== WebSocket.OPEN) return;
      browser.send(data, { binary: isBinary }, resumeIfDrained);
      if (!paused && browser.bufferedAmount > HIGH_WATER_BYTES) {
        paused = true;
        upstream.pause();
      }
    });
    browser.on('message', (data: RawData, isBinary: boolean) => {
      // Only protocol frames go through: a browser cannot smuggle anything else upstream.
      if (isBinary || upstream.readyState !== WebSocket.OPEN) return;
      let frame: unknown;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (!ClientFrameSchema.safeParse(frame).success) {
        log.debug('dropped an invalid frame from the browser');
        return;
      }
      upstream.send(data, { binary: false });
    });
    const cleanup = () => {
      live.delete(pair);
      untrack?.();
    };
    upstream.on('close', (code: number, reason: Buffer) => {
      cleanup();
      if (browser.readyState === WebSocket.OPEN) browser.close(forwardableCode(code), reason.toString().slice(0, 120));
    });
    browser.on('close', () => {
      cleanup();
      if (upstream.readyState === WebSocket.OPEN || upstream.readyState === WebSocket.CONNECTING) upstream.close(1000);
    });
    upstream.on('error', (err) => log.debug({ err }, 'terminal connection error'));
    browser.on('error', (err) => log.debug({ err }, 'browser websocket error'));
  };

  /** Completes the browser handshake only to tell it why (4000 + HTTP status), so the UI can stop retrying a gone session. */
  const refuse = (req: IncomingMessage, socket: Duplex, head: Buffer, code: number, reason: string) => {
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) => ws.close(code, reason.slice(0, 120)));
  };

  return {
    get size() {
      return live.size;
    },
    handleUpgrade(req, socket, head, identity, track) {
      const url = new URL(req.url ?? '/', 'http://edge');
      const id = /^\/ws\/terminal\/([^/]+)$/.exec(url.pathname)?.[1];
      if (!id || !IdSchema.safeParse(id).success) return refuseUpgrade(socket, new AppError('not_found', `no terminal at ${url.pathname}`));
      const size = TerminalQuerySchema.safeParse(Object.fromEntries(url.searchParams));
      const { cols, rows } = size.success ? size.data : { cols: 80, rows: 24 };
      const log = options.log.child({ sessionId: id });
      // A session on another host (`?host=<id>`): the api bridges it through that host's link.
      const host = url.searchParams.get('host');
      const remote = host && host !== 'local' && options.apiSocketPath && HOST_PARAM.test(host);
      const target = remote
        ? `ws+unix://${options.apiSocketPath}:/ws/hosts/${encodeURIComponent(host)}/terminal/${id}?cols=${cols}&rows=${rows}`
        : `ws+unix://${options.socketPath}:/ws/terminal/${id}?cols=${cols}&rows=${rows}`;
      const headers = upstreamHeaders(req.headers, identity) as Record<string, string>;
      // The edge has checked the origin; the service sees a local client.
      delete headers.origin;
      const upstream = new WebSocket(target, { headers, perMessageDeflate: false, handshakeTimeout: 10_000, maxPayload: 8 << 20 });
      let settled = false;
      socket.once('close', () => {
        if (!settled) upstream.terminate();
      });
      upstream.once('open', () => {
        settled = true;
        if (socket.destroyed) return upstream.close(1000);
        wss.handleUpgrade(req, socket, head, (browser) => bridge(browser, upstream, log, track));
      });
      upstream.once('unexpected-response', (upReq, res) => {
        settled = true;
        const chunks: Buffer[] = [];
        let size = 0;
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          upReq.destroy();
          // A plain refusal without rdv's error body keeps the status line.
          const message = parseErrorBody(Buffer.concat(chunks).toString())?.message || `terminal service answered ${res.statusCode}`;
          refuse(req, socket, head, 4000 + (res.statusCode ?? 500), message);
        };
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= 4096) chunks.push(c);
        });
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      });
      // `on`, not `once`: a second error with no listener would crash the process.
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        if (settled) return;
        settled = true;
        const down = err.code === 'ENOENT' || err.code === 'ECONNREFUSED';
        if (!down) log.warn({ err }, 'could not reach the terminal service');
        const what = remote ? 'the rdv api' : 'the terminal service';
        refuse(req, socket, head, 4503, down ? `${what} is not running` : `${what} did not answer`);
      });
    },
    closeAll(code, reason) {
      for (const { browser, upstream } of live) {
        browser.close(code, reason);
        upstream.close(code, reason);
      }
    },
    dispose() {
      clearInterval(heartbeat);
      for (const { browser, upstream } of live) {
        browser.terminate();
        upstream.terminate();
      }
      live.clear();
      wss.close();
    },
  };
}
