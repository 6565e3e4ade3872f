import { checkRequestTarget } from '@rdv/core/schemas';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Headers that describe one hop and never travel through a proxy (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

/**
 * Browser credentials and identity claims the services must never see from a browser:
 * the edge's own cookie, Cloudflare's assertion, bearer tokens, and every X-RDV-* header.
 */
function isStripped(name: string): boolean {
  return (
    name.startsWith('x-rdv-') ||
    name === 'cookie' ||
    name === 'authorization' ||
    name === 'cf-access-jwt-assertion' ||
    name === 'cf-access-authenticated-user-email' ||
    name.startsWith('sec-websocket-') ||
    HOP_BY_HOP.has(name)
  );
}

export interface Identity {
  serviceToken: string;
  userId: string;
}

/**
 * The headers for a request to api.sock or terminal.sock: the browser's headers minus
 * anything credential-like or hop-by-hop (including names listed in Connection), plus
 * the service token and the verified user id set by the edge.
 */
export function upstreamHeaders(incoming: IncomingHttpHeaders, identity: Identity): OutgoingHttpHeaders {
  const connectionListed = new Set(
    String(incoming.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: OutgoingHttpHeaders = {};
  for (const [rawName, value] of Object.entries(incoming)) {
    const name = rawName.toLowerCase();
    if (value === undefined || isStripped(name) || connectionListed.has(name)) continue;
    out[name] = value;
  }
  out.host = 'rdv';
  out['x-rdv-service-token'] = identity.serviceToken;
  out['x-rdv-user-id'] = identity.userId;
  return out;
}

/** Response headers from a service that the browser gets (hop-by-hop ones dropped). */
export function downstreamHeaders(incoming: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [rawName, value] of Object.entries(incoming)) {
    const name = rawName.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(name) || name === 'set-cookie') continue;
    out[name] = value;
  }
  return out;
}

/**
 * The path to forward for a browser /api request, or null when it is not one. The target
 * has already passed checkRequestTarget (no dot segments, fragments or encoded slashes),
 * so the api routes exactly what is checked here. The edge's own routes live outside
 * /api/ (EDGE_ROUTE_PREFIX) and are never forwarded.
 */
export function apiPathFor(rawUrl: string): string | null {
  return checkRequestTarget(rawUrl).ok && rawUrl.startsWith('/api/') ? rawUrl : null;
}
