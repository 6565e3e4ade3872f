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

/** Routes only the edge itself may call with the service token alone; never reachable from a browser. */
const EDGE_ONLY = /^\/api\/auth\/(resolve-user|login-links\/redeem)\/?$/;

/**
 * The path to forward for a browser /api request, or null when the request must not be
 * forwarded: not under /api/, a dot segment, or an edge-only route in any spelling
 * (case, percent-encoding, doubled slashes) the api's router would still match.
 */
export function apiPathFor(rawUrl: string): string | null {
  if (!rawUrl.startsWith('/api/') || rawUrl.includes('\\')) return null;
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  if (/(^|\/)\.\.?(\/|$)/.test(decoded) || decoded.includes('\0')) return null;
  const canonical = decoded.replace(/\/{2,}/g, '/').toLowerCase();
  if (EDGE_ONLY.test(canonical)) return null;
  return rawUrl;
}
