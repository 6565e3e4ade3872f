import { and, asc, eq, gt, lt } from 'drizzle-orm';
import { schema, type Db } from '../db/index.js';
import type { EventType, RdvEvent } from '../schemas/index.js';

export type EventListener = (event: RdvEvent) => void;

export interface EventBus {
  /** Stores the event (so clients can resume) and tells live listeners of that user. */
  publish(userId: string, type: EventType, data: Record<string, unknown>): RdvEvent;
  /** Live events of one user; returns the unsubscribe function. */
  subscribe(userId: string, listener: EventListener): () => void;
  /** Live events of every user (background work such as folder hooks); returns the unsubscribe function. */
  subscribeAll(listener: (userId: string, event: RdvEvent) => void): () => void;
  /** Stored events of a user after `lastId`, oldest first (for Last-Event-ID resume). */
  since(userId: string, lastId: number, limit?: number): RdvEvent[];
  /** Deletes events older than `before`; returns how many. */
  prune(before: Date): number;
  listenerCount(): number;
}

/** An event bus persisted in the `events` table; listeners live in this process. */
export function createEventBus(db: Db): EventBus {
  const listeners = new Map<string, Set<EventListener>>();
  const everyone = new Set<(userId: string, event: RdvEvent) => void>();
  const toEvent = (row: typeof schema.events.$inferSelect): RdvEvent => ({
    id: row.id,
    type: row.type as EventType,
    at: row.at.toISOString(),
    data: row.data,
  });
  return {
    publish(userId, type, data) {
      const row = db.insert(schema.events).values({ userId, type, data, at: new Date() }).returning().get();
      const event = toEvent(row);
      for (const listener of listeners.get(userId) ?? []) {
        try {
          listener(event);
        } catch {
          // One broken listener (a closed SSE socket) must not stop the others.
        }
      }
      for (const listener of everyone) {
        try {
          listener(userId, event);
        } catch {
          // Same: a failing background listener must not stop the publisher.
        }
      }
      return event;
    },
    subscribe(userId, listener) {
      let set = listeners.get(userId);
      if (!set) listeners.set(userId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(userId);
      };
    },
    subscribeAll(listener) {
      everyone.add(listener);
      return () => void everyone.delete(listener);
    },
    since(userId, lastId, limit = 1000) {
      return db
        .select()
        .from(schema.events)
        .where(and(eq(schema.events.userId, userId), gt(schema.events.id, lastId)))
        .orderBy(asc(schema.events.id))
        .limit(limit)
        .all()
        .map(toEvent);
    },
    prune(before) {
      return db.delete(schema.events).where(lt(schema.events.at, before)).run().changes;
    },
    listenerCount() {
      let n = 0;
      for (const set of listeners.values()) n += set.size;
      return n;
    },
  };
}
