// The Node side of the client: the api over its unix socket. Not for browsers: it pulls
// in undici.
import { AppError, ServiceDownError } from '@rdv/core/errors';
import { createRdvClient, type Headers, type RdvClient, type Transport } from './client.js';

export interface SocketOptions {
  /** How long to wait for an answer's headers (default 30 s). */
  timeoutMs?: number;
}

/** True for a socket nobody listens on (no file, or a stale one). */
function notListening(err: unknown): boolean {
  for (let e = err as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') return true;
  }
  return false;
}

function reason(err: unknown): string {
  const cause = (err as { cause?: unknown })?.cause;
  return cause instanceof Error ? cause.message : err instanceof Error ? err.message : String(err);
}

/**
 * A transport over the unix socket `socketPath`: undici's fetch with an Agent that
 * connects there (the host in URLs is a placeholder). Nothing listening gives
 * ServiceDownError ("rdv is not running …"). undici is loaded on the first request, so a
 * command that never calls the api does not pay for it.
 */
export function socketTransport(socketPath: string, options: SocketOptions = {}): Transport & { close(): Promise<void> } {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let loaded: Promise<{ fetch: typeof import('undici').fetch; dispatcher: import('undici').Agent }> | undefined;
  const undici = () =>
    (loaded ??= import('undici').then(({ Agent, fetch }) => ({ fetch, dispatcher: new Agent({ connect: { socketPath }, headersTimeout: timeoutMs }) })));
  return {
    baseUrl: 'http://rdv',
    // openapi-fetch builds a global Request; undici's own fetch sends it (bodies are small JSON).
    fetch: async (request) => {
      const { fetch, dispatcher } = await undici();
      const body = request.body ? await request.arrayBuffer() : undefined;
      const init = { method: request.method, headers: [...request.headers], body, signal: request.signal, dispatcher };
      return (await fetch(request.url, init)) as unknown as Response;
    },
    unreachable: (err) =>
      notListening(err) ? new ServiceDownError(socketPath, err) : new AppError('unavailable', `request to ${socketPath} failed: ${reason(err)}`, { cause: err }),
    close: async () => {
      if (loaded) await (await loaded).dispatcher.close();
    },
  };
}

/** The typed api client on api.sock with a bearer token (a CLI token or an API key), or other headers. */
export function createSocketClient(options: { socketPath: string; token?: string; headers?: Headers | (() => Headers); timeoutMs?: number }): RdvClient {
  const extra = options.headers;
  return createRdvClient({
    transport: socketTransport(options.socketPath, { timeoutMs: options.timeoutMs }),
    headers: () => ({
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(typeof extra === 'function' ? extra() : extra),
    }),
  });
}
