import { request, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { Logger } from '@rdv/core/log';
import { downstreamHeaders } from './headers.js';
import { sendJsonError } from './responses.js';

/** The one path remote MCP clients use (Streamable HTTP). */
export const MCP_PATH = '/mcp';

/** An API key as Bearer: the only credential /mcp takes at the edge (`rdv_key_…`, see core/auth tokens). */
const API_KEY_BEARER = /^Bearer rdv_key_[A-Za-z0-9_-]{16,}$/;

/** What an MCP client's request may carry on to the api; everything else (cookies, X-RDV-*, Cloudflare's assertion) stays here. */
const FORWARDED = ['authorization', 'content-type', 'content-length', 'accept', 'mcp-protocol-version', 'mcp-session-id', 'last-event-id', 'user-agent'];

export interface McpProxyOptions {
  socketPath: string;
  log: Logger;
  /** Whether the request comes from a page of another site (checked on its Origin). */
  crossSite: boolean;
  /** Counts a refused credential for this client; true when it has failed too often (answer 429). */
  refused: (reason: string) => boolean;
}

/**
 * Forwards one MCP request to api.sock's /mcp with the caller's API key and nothing else
 * of theirs: no cookie or Access identity is accepted here, so a browser session can never
 * drive the tools, and a page of another site is refused on its Origin. The api checks the
 * key (and rate-limits by it like every api call); a key it refuses counts as a failed
 * sign-in for this client, like any other at the edge.
 */
export function proxyMcpRequest(req: IncomingMessage, res: ServerResponse, options: McpProxyOptions): void {
  if (options.crossSite) {
    req.resume();
    sendJsonError(res, 403, 'forbidden', 'cross-site request refused');
    return;
  }
  if (!API_KEY_BEARER.test(String(req.headers.authorization ?? ''))) {
    req.resume();
    if (options.refused('no API key')) {
      res.setHeader('Retry-After', '60');
      sendJsonError(res, 429, 'rate_limited', 'too many failed sign-in attempts; wait a minute');
      return;
    }
    res.setHeader('WWW-Authenticate', 'Bearer');
    sendJsonError(res, 401, 'unauthorized', 'MCP through the edge needs an API key as Bearer (rdv token create <name> --api-key)');
    return;
  }
  const headers: OutgoingHttpHeaders = { host: 'rdv' };
  for (const name of FORWARDED) if (req.headers[name] !== undefined) headers[name] = req.headers[name];
  const upstream = request({ socketPath: options.socketPath, method: req.method, path: MCP_PATH, headers });
  upstream.on('response', (up: IncomingMessage) => {
    if (up.statusCode === 401) options.refused('API key refused');
    res.writeHead(up.statusCode ?? 502, downstreamHeaders(up.headers));
    res.socket?.setNoDelay(true);
    up.pipe(res);
    up.on('error', () => res.destroy());
  });
  upstream.on('error', (err: NodeJS.ErrnoException) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const down = err.code === 'ENOENT' || err.code === 'ECONNREFUSED';
    if (!down) options.log.warn({ err }, 'mcp request failed');
    sendJsonError(res, 503, 'unavailable', down ? 'the rdv api is not running' : 'the rdv api did not answer');
  });
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}
