import type { ServerResponse } from 'node:http';
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

/** Writes `{ error: { code, message } }` with the code's status. */
export function sendError(res: ServerResponse, error: AppError): void {
  sendJson(res, error.status, error.toJSON());
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
