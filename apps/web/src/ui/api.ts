import { ERROR_CODES, type ErrorCode } from '@rdv/core/errors';
import type { z } from 'zod';

/** A failed API call: the server's code and message (or "unavailable" when the edge is unreachable). */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  constructor(status: number, code: ErrorCode, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let onUnauthorized: (() => void) | null = null;
/** Called once when any request answers 401: the browser's sign-in has ended. */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

/**
 * One JSON request to the edge. Non-2xx answers throw ApiError; a schema, when given,
 * parses the body (a mismatch is an "internal" ApiError rather than a silent bad state).
 */
export async function api<T = unknown>(method: string, path: string, body?: unknown, schema?: z.ZodType<T>): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'unavailable', 'rdv is not reachable; check your connection');
  }
  const text = await res.text();
  let json: unknown = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      // Not JSON (an HTML error page from a proxy): reported below by status.
    }
  }
  if (!res.ok) {
    if (res.status === 401) onUnauthorized?.();
    const e = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    const code = e?.code && (ERROR_CODES as readonly string[]).includes(e.code) ? (e.code as ErrorCode) : res.status === 404 ? 'not_found' : 'internal';
    throw new ApiError(res.status, code, e?.message ?? `request failed (${res.status})`);
  }
  if (!schema) return json as T;
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ApiError(res.status, 'internal', `unexpected answer from ${path}`);
  return parsed.data;
}

/** Like `api` GET, but a 404 (the feature does not exist on this server yet) gives null. */
export async function optional<T>(path: string, schema?: z.ZodType<T>): Promise<T | null> {
  try {
    return await api('GET', path, undefined, schema);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/** The message to show a person for anything thrown. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
