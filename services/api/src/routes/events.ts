import type { Response } from 'express';
import { AppError } from '@rdv/core/errors';
import type { RdvEvent } from '@rdv/core/schemas';
import { z } from 'zod';
import { defineRoute, type RouteDef } from '../route.js';
import type { RouteDeps } from './table.js';

const EventsQuerySchema = z.object({ lastEventId: z.coerce.number().int().min(0).optional() }).strict();
const HEARTBEAT_MS = 15_000;
const REPLAY_BATCH = 500;

/** Live SSE connections, so shutdown can end them. */
export interface SseRegistry {
  open: Set<Response>;
  closeAll(): void;
}

export function createSseRegistry(): SseRegistry {
  const open = new Set<Response>();
  return {
    open,
    closeAll() {
      for (const res of open) res.end();
      open.clear();
    },
  };
}

/** Frames by event: one event fanned out to many streams is serialized once. */
const frames = new WeakMap<RdvEvent, string>();
function sseFrame(event: RdvEvent): string {
  let frame = frames.get(event);
  if (frame === undefined) {
    frame = `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    frames.set(event, frame);
  }
  return frame;
}

/** GET /api/events: the caller's events as server-sent events, resumable with Last-Event-ID. */
export function eventRoutes(deps: RouteDeps): RouteDef[] {
  const { events, sse } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/api/events',
      tag: 'events',
      summary:
        'Server-sent events (session.*, folder.*, preferences.*, insight.*). Resume with the Last-Event-ID header or ?lastEventId=',
      query: EventsQuerySchema,
      raw: true,
      handler: ({ auth, req, res, query }) => {
        const cap = deps.limits.eventStreamsPerUser;
        if (deps.watch && cap !== undefined && deps.watch.count(auth.user.id) >= cap) {
          throw new AppError('rate_limited', `you already have ${cap} event streams open (the limit); close some before opening another`, { retryAfterMs: 10_000 });
        }
        const header = req.get('last-event-id');
        const fromHeader = header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
        const lastId = fromHeader ?? query.lastEventId;
        res.status(200).set({
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-cache, no-transform',
          Connection: 'keep-alive',
          'X-Accel-Buffering': 'no',
        });
        res.flushHeaders();
        const write = (event: RdvEvent) => res.write(sseFrame(event));
        res.write('retry: 3000\n: connected\n\n');
        let sent = lastId ?? 0;
        const queue: RdvEvent[] = [];
        // While stored events are replayed, live ones wait in the queue so the order holds.
        let replaying = lastId !== undefined;
        const unsubscribe = events.subscribe(auth.user.id, (event) => {
          if (replaying) queue.push(event);
          else if (event.id > sent) {
            sent = event.id;
            write(event);
          }
        });
        if (lastId !== undefined) {
          for (;;) {
            const batch = events.since(auth.user.id, sent, REPLAY_BATCH);
            for (const event of batch) write(event);
            if (batch.length) sent = batch[batch.length - 1]!.id;
            if (batch.length < REPLAY_BATCH) break;
          }
          replaying = false;
          for (const event of queue.splice(0)) {
            if (event.id > sent) {
              sent = event.id;
              write(event);
            }
          }
        }
        const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
        sse.open.add(res);
        // A stream lives only as long as the token it was opened with (revoked or expired: ended).
        const untrack = deps.watch?.add({ userId: auth.user.id, method: auth.method, tokenId: auth.tokenId }, () => res.end());
        res.on('close', () => {
          untrack?.();
          clearInterval(heartbeat);
          unsubscribe();
          sse.open.delete(res);
        });
      },
    }),
  ];
}
