import type { Server } from 'node:http';
import { toDisposable, type Disposable } from '../disposable/index.js';

/** The websocket close code for "going away": the server is shutting down. */
export const GOING_AWAY = 1001;

export interface DrainOptions {
  /** How long in-flight requests (and websocket close handshakes) get before connections are cut. */
  deadlineMs: number;
  /** Requests being answered now; polled until none are left or the deadline passes. Long-lived streams do not count. */
  pending?: () => number;
  /**
   * Ends what never ends by itself (event streams, websockets) once the server stops
   * accepting: websockets close with `code` (1001). May wait for the close handshakes,
   * at most `deadlineMs`.
   */
  closeStreams?: (code: number, reason: string, deadlineMs: number) => void | Promise<void>;
  /** The close reason websockets get. */
  reason?: string;
}

const POLL_MS = 25;

/**
 * A server's shutdown as a disposable: stop accepting, end the streams (websockets with
 * 1001), let in-flight requests finish under the deadline while idle keep-alive
 * connections are closed, then cut whatever is left. Idempotent; resolves once the
 * server has closed.
 */
export function disposer(server: Server, options: DrainOptions): Disposable {
  return toDisposable(async () => {
    const deadline = Date.now() + options.deadlineMs;
    const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    await options.closeStreams?.(GOING_AWAY, options.reason ?? 'server shutting down', options.deadlineMs);
    server.closeIdleConnections();
    while ((options.pending?.() ?? 0) > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      // A request that just finished leaves its keep-alive connection idle: close it now, not at the deadline.
      server.closeIdleConnections();
    }
    server.closeAllConnections();
    await closed;
  });
}
