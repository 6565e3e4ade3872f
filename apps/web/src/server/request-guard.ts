import type { IncomingMessage } from 'node:http';
import type { ErrorCode } from '@rdv/core/errors';
import { checkRequestTarget } from '@rdv/core/schemas';

export interface Refusal {
  status: number;
  code: ErrorCode;
  message: string;
}

/** Methods the edge serves; anything else (TRACE, CONNECT, PROPFIND…) never reaches a service. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/**
 * Methods whose requests are forwarded without a body. Node sends such a request upstream
 * with no framing of its own, so a body the browser attached (chunked or sized) would be
 * read by api.sock as the start of a second request: refuse it instead.
 */
const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);

/** True when the request announces a body: any Transfer-Encoding, or a non-zero Content-Length. */
export function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && !/^0+$/.test(length.trim());
}

/**
 * What every request and upgrade must pass before routing: an RFC 3986 request target,
 * a known method, and no body on a method that is forwarded without one. Null when it passes.
 */
export function refuseMalformed(req: IncomingMessage): Refusal | null {
  const target = checkRequestTarget(req.url ?? '');
  if (!target.ok) return { status: 400, code: 'invalid_input', message: target.message };
  const method = req.method ?? '';
  if (!KNOWN_METHODS.has(method)) return { status: 405, code: 'invalid_input', message: `method ${method.slice(0, 20)} is not served here` };
  if (BODYLESS_METHODS.has(method) && hasBody(req)) {
    return { status: 400, code: 'invalid_input', message: `a ${method} request cannot carry a body` };
  }
  return null;
}
