/**
 * One error type for the whole of rdv, with a closed set of codes.
 * Browser-safe: no Node imports.
 */
export const ERROR_CODES = [
  'invalid_input',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  'unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** HTTP status for each code; the websocket close code is 4000 + status. */
export const HTTP_STATUS = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
} as const satisfies Record<ErrorCode, number>;

export interface AppErrorOptions {
  cause?: unknown;
  /** For `rate_limited`: how long until a retry can succeed (sent as Retry-After, in seconds). */
  retryAfterMs?: number;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, message: string, options?: AppErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }

  get status(): number {
    return HTTP_STATUS[this.code];
  }

  toJSON(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

/**
 * Nothing answers on a service's socket: rdv is not running. Callers that talk to
 * people (the CLI, `rdv mcp`) recognise it to say how to start rdv.
 */
export class ServiceDownError extends AppError {
  constructor(socketPath: string, cause?: unknown) {
    super('unavailable', `rdv is not running (nothing answers on ${socketPath}); start it with "rdv up" or "npm start"`, { cause });
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Wraps anything thrown into an AppError; unknown faults become `internal` with a generic message. */
export function toAppError(value: unknown): AppError {
  if (value instanceof AppError) return value;
  return new AppError('internal', 'Internal error', { cause: value });
}

export const notFound = (what: string): AppError => new AppError('not_found', `${what} not found`);
export const invalidInput = (message: string): AppError => new AppError('invalid_input', message);
export const conflict = (message: string): AppError => new AppError('conflict', message);
