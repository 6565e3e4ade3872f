import { request as httpRequest } from 'node:http';
import { AppError, ERROR_CODES, type ErrorCode } from '../errors/index.js';

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
  text: string;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * One HTTP request over a unix socket (the api's or terminal's). Resolves with whatever
 * status came back; JSON bodies are parsed. Rejects only when the socket can't be reached.
 */
export function socketRequest<T = unknown>(socketPath: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  return new Promise((resolveReq, reject) => {
    const req = httpRequest(
      {
        socketPath,
        path,
        method: options.method ?? 'GET',
        headers: {
          host: 'rdv',
          ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          ...options.headers,
        },
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          if ((res.headers['content-type'] ?? '').includes('json') && text) {
            try {
              body = JSON.parse(text);
            } catch {
              // Not JSON after all: hand back the text.
            }
          }
          resolveReq({ status: res.statusCode ?? 0, headers: res.headers, body: body as T, text });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${socketPath} timed out`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

export interface ApiClient {
  readonly socketPath: string;
  /** Sends a request; non-2xx answers throw AppError with the server's code and message. */
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  raw<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>>;
}

/** Thrown when the service's socket does not answer (not running). */
export class ServiceDownError extends AppError {
  constructor(socketPath: string, cause: unknown) {
    super('unavailable', `rdv is not running (nothing answers on ${socketPath}); start it with "rdv up" or "npm start"`, { cause });
  }
}

/** A client for the api socket with a bearer token (CLI token or API key). */
export function createApiClient(options: { socketPath: string; token: string; headers?: Record<string, string> }): ApiClient {
  const headers = { authorization: `Bearer ${options.token}`, ...options.headers };
  const raw = async <T>(method: string, path: string, body?: unknown) => {
    try {
      return await socketRequest<T>(options.socketPath, path, { method, body, headers });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ECONNREFUSED') throw new ServiceDownError(options.socketPath, err);
      throw new AppError('unavailable', `request failed: ${(err as Error).message}`, { cause: err });
    }
  };
  return {
    socketPath: options.socketPath,
    raw,
    async call<T>(method: string, path: string, body?: unknown) {
      const res = await raw<T>(method, path, body);
      if (res.status >= 200 && res.status < 300) return res.body;
      const e = (res.body as { error?: { code?: string; message?: string } })?.error;
      const code: ErrorCode = e?.code && (ERROR_CODES as readonly string[]).includes(e.code) ? (e.code as ErrorCode) : 'internal';
      throw new AppError(code, e?.message ?? `HTTP ${res.status}`);
    },
  };
}
