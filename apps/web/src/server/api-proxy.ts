import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from '@rdv/core/log';
import { apiPathFor, downstreamHeaders, upstreamHeaders, type Identity } from './headers.js';
import { sendJsonError } from './responses.js';

export interface ApiProxyOptions {
  socketPath: string;
  log: Logger;
  /** Called when the answer is an event stream, with a way to close it; returns its removal. */
  onEventStream?: (close: () => void) => () => void;
}

/**
 * Forwards one browser /api request to api.sock as a stream in both directions (SSE
 * flows through chunk by chunk), with the edge's identity headers in place of the
 * browser's. Only /api/* is forwarded; the edge's own routes are elsewhere.
 */
export function proxyApiRequest(req: IncomingMessage, res: ServerResponse, identity: Identity, options: ApiProxyOptions): void {
  const path = apiPathFor(req.url ?? '');
  if (!path) {
    req.resume();
    sendJsonError(res, 404, 'not_found', `no route for ${req.method} ${(req.url ?? '').split('?')[0]}`);
    return;
  }
  const upstream = request({
    socketPath: options.socketPath,
    method: req.method,
    path,
    headers: upstreamHeaders(req.headers, identity),
  });
  upstream.on('response', (up: IncomingMessage) => {
    const headers = downstreamHeaders(up.headers);
    res.writeHead(up.statusCode ?? 502, headers);
    if (String(up.headers['content-type'] ?? '').startsWith('text/event-stream')) {
      // Events must reach the browser as they happen, not when a buffer fills.
      res.socket?.setNoDelay(true);
      res.flushHeaders();
      const untrack = options.onEventStream?.(() => {
        upstream.destroy();
        res.destroy();
      });
      if (untrack) res.on('close', untrack);
    }
    up.pipe(res);
    up.on('error', () => res.destroy());
  });
  upstream.on('error', (err: NodeJS.ErrnoException) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const down = err.code === 'ENOENT' || err.code === 'ECONNREFUSED';
    if (!down) options.log.warn({ err, path: path.split('?')[0] }, 'api request failed');
    sendJsonError(res, 503, 'unavailable', down ? 'the rdv api is not running' : 'the rdv api did not answer');
  });
  // The browser went away (closed an EventSource, navigated): stop the upstream too.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}
