import { request as httpRequest } from 'node:http';

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
  /** Idle timeout, and (unless `deadlineMs`) the most the whole answer may take. */
  timeoutMs?: number;
  /** The most the whole answer may take (default: `timeoutMs`): a slow trickle is cut too. */
  deadlineMs?: number;
  /** The largest body read (default 64 MiB); past it the request fails. */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * One untyped HTTP request over a service's unix socket (the api's, the terminal's, the
 * edge's), whatever the status: health probes and tests that check raw answers. JSON
 * bodies are parsed. Rejects only when the socket can't be reached. Calls to the api go
 * through the typed client (`@rdv/client`) instead.
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
        let size = 0;
        const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            req.destroy(new Error(`the answer from ${socketPath} is over ${maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          clearTimeout(deadline);
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
        res.on('error', (err) => {
          clearTimeout(deadline);
          reject(err);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${socketPath} timed out`)));
    const deadline = setTimeout(() => req.destroy(new Error(`request to ${socketPath} took too long`)), options.deadlineMs ?? options.timeoutMs ?? 30_000);
    deadline.unref();
    req.on('error', (err) => {
      clearTimeout(deadline);
      reject(err);
    });
    if (payload) req.write(payload);
    req.end();
  });
}
