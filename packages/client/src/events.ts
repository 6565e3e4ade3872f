import { AppError, isAppError } from '@rdv/core/errors';
import { RdvEventSchema, type RdvEvent } from '@rdv/core/schemas';
import type { RdvClient } from './client.js';
import { errorFromResponse } from './errors.js';
import { createSseParser } from './sse.js';

export interface FollowEventsOptions {
  /** Resume after this event id (sent as `Last-Event-ID`); otherwise only new events come. */
  lastEventId?: number;
  /** Each event, parsed with the shared schema, in order. */
  onEvent(event: RdvEvent): void;
  /** The stream is open (again, after a reconnect). */
  onOpen?(): void;
  /**
   * The stream failed or ended. With `willRetry` it reconnects after the retry delay and
   * resumes after the last event seen; without, it has stopped for good (the server
   * refused the credentials or has no event stream).
   */
  onError?(err: AppError, willRetry: boolean): void;
  /** Delay before reconnecting (default 3000 ms; the server's `retry:` overrides it). */
  retryMs?: number;
}

export interface EventStream {
  /** The id of the last event received (what a reconnect resumes after). */
  lastEventId(): number | undefined;
  /** Stops for good; idempotent. */
  close(): void;
  /** Resolves once the stream has stopped (closed, or refused for good). */
  done: Promise<void>;
}

/** Answers that retrying will not change. */
const FINAL_STATUS = new Set([400, 401, 403, 404]);

/**
 * Follows `/api/events` over the client's transport and credentials: parses each event
 * with `RdvEventSchema` (one that does not parse is skipped, its id still counted),
 * reconnects when the stream breaks and resumes with `Last-Event-ID`, so no event is
 * lost or repeated across a reconnect.
 */
export function followEvents(client: RdvClient, options: FollowEventsOptions): EventStream {
  const { transport } = client;
  const abort = new AbortController();
  let lastId = options.lastEventId;
  let retryMs = options.retryMs ?? 3000;
  let closed = false;

  // A new parser per connection: half an event from a broken stream is dropped, not glued to the next.
  const newParser = () =>
    createSseParser(
      (message) => {
        if (message.id !== undefined && /^\d+$/.test(message.id)) lastId = Number(message.id);
        let json: unknown;
        try {
          json = JSON.parse(message.data);
        } catch {
          return; // Not JSON: not one of rdv's events.
        }
        const parsed = RdvEventSchema.safeParse(json);
        if (parsed.success && !closed) options.onEvent(parsed.data);
      },
      (ms) => {
        if (options.retryMs === undefined) retryMs = ms;
      },
    );

  const readOnce = async (): Promise<boolean> => {
    const Req = transport.Request ?? Request;
    const headers: Record<string, string> = { ...client.headers(), accept: 'text/event-stream' };
    if (lastId !== undefined) headers['last-event-id'] = String(lastId);
    let response: Response;
    try {
      response = await transport.fetch(new Req(`${transport.baseUrl}/api/events`, { ...transport.init, headers, signal: abort.signal }));
    } catch (err) {
      if (!closed) options.onError?.(isAppError(err) ? err : transport.unreachable(err), true);
      return true;
    }
    if (!response.ok || !response.body) {
      const final = FINAL_STATUS.has(response.status);
      options.onError?.(errorFromResponse(response.status, await response.text().catch(() => '')), !final);
      return !final;
    }
    options.onOpen?.();
    const parser = newParser();
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
      if (!closed) options.onError?.(new AppError('unavailable', 'the event stream ended'), true);
    } catch (err) {
      if (!closed) options.onError?.(new AppError('unavailable', `the event stream broke: ${(err as Error).message}`, { cause: err }), true);
    }
    return true;
  };

  const wait = (ms: number) =>
    new Promise<void>((resolveWait) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolveWait();
      };
      const timer = setTimeout(() => {
        abort.signal.removeEventListener('abort', onAbort);
        resolveWait();
      }, ms);
      abort.signal.addEventListener('abort', onAbort, { once: true });
    });

  const done = (async () => {
    while (!closed) {
      if (!(await readOnce())) break;
      if (!closed) await wait(retryMs);
    }
  })();

  return {
    lastEventId: () => lastId,
    close() {
      closed = true;
      abort.abort();
    },
    done,
  };
}
