import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AppError } from '../errors/index.js';

/**
 * Refuses a websocket upgrade with a plain HTTP response (`HTTP/1.1 401 Unauthorized`,
 * the one error body `{error:{code,message}}`, Retry-After when the error carries one),
 * then destroys the socket: no websocket is ever opened.
 */
export function refuseUpgrade(socket: Duplex, error: AppError): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(error.toJSON());
  const head = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...(error.retryAfterMs ? [`Retry-After: ${Math.ceil(error.retryAfterMs / 1000)}`] : []),
  ];
  // end() flushes the response; destroy() after it so a client that never reads cannot hold the socket.
  if (socket.writable) socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
  else socket.destroy();
}
