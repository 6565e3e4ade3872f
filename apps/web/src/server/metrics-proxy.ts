import { request, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { Logger } from '@rdv/core/log';
import { downstreamHeaders } from './headers.js';
import { sendJsonError } from './responses.js';

/** `/metrics/api` and `/metrics/terminal`: which service's /metrics the edge forwards to. */
export function metricsServiceOf(path: string): 'api' | 'terminal' | null {
  const m = /^\/metrics\/(api|terminal)\/?$/.exec(path);
  return m ? (m[1] as 'api' | 'terminal') : null;
}

/** A CLI token as Bearer: what a Prometheus server scraping through the edge sends (`rdv_cli_…`). */
export const CLI_TOKEN_BEARER = /^Bearer rdv_cli_[A-Za-z0-9_-]{16,}$/;

/**
 * Forwards a GET for a service's Prometheus text to its socket with `credentials` (the
 * scraper's own CLI token, or the edge's identity for a signed-in browser) and nothing
 * else of the caller's; the service decides: the owner only.
 */
export function proxyMetrics(req: IncomingMessage, res: ServerResponse, socketPath: string, credentials: OutgoingHttpHeaders, log: Logger): void {
  req.resume();
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    sendJsonError(res, 405, 'invalid_input', 'metrics are read with GET');
    return;
  }
  const upstream = request({ socketPath, method: req.method, path: '/metrics', headers: { host: 'rdv', accept: 'text/plain', ...credentials } });
  upstream.on('response', (up) => {
    res.writeHead(up.statusCode ?? 502, downstreamHeaders(up.headers));
    up.pipe(res);
    up.on('error', () => res.destroy());
  });
  upstream.on('error', (err: NodeJS.ErrnoException) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const down = err.code === 'ENOENT' || err.code === 'ECONNREFUSED';
    if (!down) log.warn({ err }, 'metrics request failed');
    sendJsonError(res, 503, 'unavailable', down ? 'that rdv service is not running' : 'that rdv service did not answer');
  });
  upstream.end();
}
