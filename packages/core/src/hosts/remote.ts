import { request } from 'node:http';
import { z } from 'zod';
import { socketRequest, type ApiResponse } from '../lifecycle/index.js';

// Talking to a host's rdv api through its forwarded api.sock. What comes back is parsed
// tolerantly: a host may run another rdv version, whose answers have fields this one does
// not know (kept) or lack ones it does (reported, never thrown at the link).

/** The part of a host's /health this rdv relies on; anything else is passed through. */
export const RemoteHealthSchema = z.looseObject({ version: z.string() });

/** An event as a host's /api/events sends it (its `type` may be one this rdv does not know). */
export const RemoteEventSchema = z.looseObject({
  id: z.number().int(),
  type: z.string().max(100),
  at: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type RemoteEvent = z.infer<typeof RemoteEventSchema>;

/** The largest answer taken from a host. */
const REMOTE_MAX_BYTES = 16 * 1024 * 1024;

/** One request to the host's api with its owner's token (null: none, for /health); rejects only when the socket does not answer. */
export function remoteRequest<T = unknown>(
  socket: string,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 15_000,
): Promise<ApiResponse<T>> {
  // Another machine answers: what it may send is bounded in size and in time.
  return socketRequest<T>(socket, path, { method, body, timeoutMs, maxBytes: REMOTE_MAX_BYTES, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
}

export interface RemoteEventStream {
  /** Ends the stream; no more events are delivered. */
  close(): void;
}

/**
 * Follows the host's /api/events from `lastId` (none: from now on). Each event is handed
 * to `onEvent` (its id is the resume point); `onEnd` is told once when the stream ends for
 * any reason other than close(), with the HTTP status if the host refused it.
 */
export function followRemoteEvents(
  socket: string,
  token: string,
  lastId: number | null,
  onEvent: (event: RemoteEvent) => void,
  onEnd: (why: { status?: number; error?: Error }) => void,
): RemoteEventStream {
  let closed = false;
  let ended = false;
  const end = (why: { status?: number; error?: Error }) => {
    if (closed || ended) return;
    ended = true;
    onEnd(why);
  };
  const req = request({
    socketPath: socket,
    path: '/api/events',
    headers: { host: 'rdv', authorization: `Bearer ${token}`, accept: 'text/event-stream', ...(lastId !== null ? { 'last-event-id': String(lastId) } : {}) },
  });
  req.on('response', (res) => {
    if (res.statusCode !== 200) {
      res.resume();
      end({ status: res.statusCode });
      return;
    }
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      let idx: number;
      while ((idx = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, idx);
        buf = buf.slice(idx + 2);
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).replace(/^ /, ''))
          .join('\n');
        if (!data || closed) continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(data);
        } catch {
          // A block that is not JSON (another version's extra) is skipped, not fatal.
          continue;
        }
        const event = RemoteEventSchema.safeParse(parsed);
        if (event.success) onEvent(event.data);
      }
      // A stream that never sends a blank line must not grow without bound.
      if (buf.length > 4 << 20) req.destroy(new Error('event stream block too large'));
    });
    res.on('end', () => end({}));
    res.on('error', (error) => end({ error }));
    res.on('close', () => end({}));
  });
  req.on('error', (error) => end({ error }));
  req.end();
  return {
    close() {
      closed = true;
      req.destroy();
    },
  };
}
