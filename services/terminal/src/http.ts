import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AppError } from '@rdv/core/errors';

/** `/ws/terminal/<sessionId>` → the raw id, or null for any other path. */
export function matchTerminalPath(pathname: string): string | null {
  const m = /^\/ws\/terminal\/([^/]+)\/?$/.exec(pathname);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    // Broken %-escapes: not a path we serve.
    return null;
  }
}

const retryAfter = (error: AppError): string | null => {
  const ms = (error as AppError & { retryAfterMs?: number }).retryAfterMs;
  return ms ? String(Math.ceil(ms / 1000)) : null;
};

/**
 * Refuses a websocket upgrade with a plain HTTP response (`HTTP/1.1 401 …` and the
 * one error body), then ends the socket: no websocket is ever opened.
 */
export function refuseUpgrade(socket: Duplex, error: AppError): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(error.toJSON());
  const wait = retryAfter(error);
  const head = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...(wait ? [`Retry-After: ${wait}`] : []),
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

/** Writes `{ error: { code, message } }` with the code's status. */
export function sendError(res: ServerResponse, error: AppError): void {
  sendJson(res, error.status, error.toJSON());
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
