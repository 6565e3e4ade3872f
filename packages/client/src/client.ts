import createFetchClient, { type Client, type MaybeOptionalInit, type MethodResponse } from 'openapi-fetch';
import type { HttpMethod, PathsWithMethod, RequiredKeysOf } from 'openapi-typescript-helpers';
import { AppError } from '@rdv/core/errors';
import { errorFromResponse } from './errors.js';
import type { paths } from './generated/api.js';

/** How requests reach the api: plain fetch to the same origin in a browser, a unix socket in Node. */
export interface Transport {
  /** Prefix of every path: '' in a browser (same origin), `http://rdv` over a socket. */
  baseUrl: string;
  fetch: (request: Request) => Promise<Response>;
  /** The Request class `fetch` takes (undici's own over a socket); the global one by default. */
  Request?: typeof Request;
  /** Extra fetch options for every request (the browser's credentials and cache mode). */
  init?: RequestInit;
  /** The error for a request that got no answer at all (nothing listening, network down). */
  unreachable(err: unknown): AppError;
}

export type Headers = Record<string, string>;

export interface RdvClientOptions {
  transport: Transport;
  /** Sent with every request; a function is called per request, so a rotated token is picked up. */
  headers?: Headers | (() => Headers);
  /** Called on every 401 answer (in a browser: the sign-in has ended). */
  onUnauthorized?: () => void;
}

type InitArgs<I> = RequiredKeysOf<I> extends never ? [(I & { [key: string]: unknown })?] : [I & { [key: string]: unknown }];
type Data<T> = [NonNullable<T>] extends [never] ? void : NonNullable<T>;

/** One typed call: the path and its params/body are checked against the api's OpenAPI document. */
export type Call<M extends HttpMethod> = <P extends PathsWithMethod<paths, M>, I extends MaybeOptionalInit<paths[P], M>>(
  path: P,
  ...init: InitArgs<I>
) => Promise<Data<MethodResponse<Client<paths>, M, P, I>>>;

/**
 * The api client. Each method resolves with the response body as the document types it;
 * a non-2xx answer rejects with the server's AppError (code and message), a request that
 * got no answer with `transport.unreachable`'s error.
 */
export interface RdvClient {
  readonly transport: Transport;
  /** The headers the next request will carry (for the event stream, which is not a typed call). */
  headers(): Headers;
  GET: Call<'get'>;
  POST: Call<'post'>;
  PUT: Call<'put'>;
  PATCH: Call<'patch'>;
  DELETE: Call<'delete'>;
}

/** Builds the client over a transport (see `browserTransport`, and `socketTransport` in `@rdv/client/node`). */
export function createRdvClient(options: RdvClientOptions): RdvClient {
  const { transport } = options;
  const headers = (): Headers => (typeof options.headers === 'function' ? options.headers() : { ...options.headers });
  const fetchClient = createFetchClient<paths>({
    ...transport.init,
    baseUrl: transport.baseUrl,
    fetch: transport.fetch,
    ...(transport.Request ? { Request: transport.Request } : {}),
  });
  const call =
    (method: HttpMethod) =>
    async (path: string, init?: { headers?: Headers; [key: string]: unknown }): Promise<unknown> => {
      let result: { data?: unknown; error?: unknown; response: Response };
      try {
        result = await fetchClient.request(method, path as never, {
          ...init,
          headers: { accept: 'application/json', ...headers(), ...init?.headers },
        } as never);
      } catch (err) {
        throw err instanceof AppError ? err : transport.unreachable(err);
      }
      if (result.response.ok) return result.data;
      if (result.response.status === 401) options.onUnauthorized?.();
      throw errorFromResponse(result.response.status, result.error);
    };
  return {
    transport,
    headers,
    GET: call('get') as Call<'get'>,
    POST: call('post') as Call<'post'>,
    PUT: call('put') as Call<'put'>,
    PATCH: call('patch') as Call<'patch'>,
    DELETE: call('delete') as Call<'delete'>,
  };
}

/** Plain fetch to the page's own origin: the web edge adds the credentials. Browser-safe. */
export function browserTransport(): Transport {
  return {
    baseUrl: '',
    fetch: (request) => fetch(request),
    // Node's RequestInit type lacks `cache`; browsers honour it (never serve an api answer from cache).
    init: { credentials: 'same-origin', cache: 'no-store' } as RequestInit,
    unreachable: (err) => new AppError('unavailable', 'rdv is not reachable; check your connection', { cause: err }),
  };
}
