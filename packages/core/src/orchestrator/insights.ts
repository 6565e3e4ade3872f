import { randomUUID } from 'node:crypto';
import { and, desc, eq, inArray, notInArray } from 'drizzle-orm';
import { AppError } from '../errors/index.js';
import { schema, type Db } from '../db/index.js';
import type { EventBus } from '../events/index.js';
import type { InsightObserver } from './attention.js';
import {
  IdSchema,
  type Insight,
  type InsightSeverity,
  type InsightType,
  type SuggestedAction,
} from '../schemas/index.js';

export type InsightRow = typeof schema.insights.$inferSelect;

/** What the monitor wants an insight to say. */
export interface InsightDraft {
  type: InsightType;
  severity: InsightSeverity;
  message: string;
  lines: string[];
  context: Record<string, unknown>;
  confidence: number;
  suggestedActions: SuggestedAction[];
}

/** The API shape of an insight row (the screen lines live in its context column). */
export function toInsight(row: InsightRow, sessionName: string | null): Insight {
  const { lines, ...context } = (row.context ?? {}) as { lines?: unknown } & Record<string, unknown>;
  return {
    id: row.id,
    orchestratorId: row.orchestratorId,
    sessionId: row.sessionId,
    sessionName,
    type: row.type as InsightType,
    severity: row.severity as InsightSeverity,
    message: row.message,
    lines: Array.isArray(lines) ? lines.map(String) : [],
    context,
    confidence: row.confidence,
    suggestedActions: (row.suggestedActions ?? []) as SuggestedAction[],
    source: context.source === 'hook' ? 'hook' : 'screen',
    resolved: row.resolved,
    resolvedAt: row.resolvedAt ? row.resolvedAt.toISOString() : null,
    resolvedBy: row.resolvedBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export interface InsightFilter {
  open?: boolean;
  sessionId?: string;
  /** Only these sessions (a folder orchestrator's scope); undefined: all of the user's. */
  sessionIds?: readonly string[];
  limit: number;
}

/** Insight rows; every change is published on the user's event stream (insight.created/updated/resolved). */
export interface InsightStore {
  open(sessionId: string): InsightRow[];
  byId(id: string): InsightRow | undefined;
  create(userId: string, orchestratorId: string | null, sessionId: string, draft: InsightDraft): Insight;
  /** Rewrites an open insight when what it says changed; returns null when nothing did. */
  update(row: InsightRow, orchestratorId: string | null, draft: InsightDraft): Insight | null;
  /** Resolves an open row (no-op for a resolved one). `by`: "auto" or a user id. */
  resolve(row: InsightRow, by: string, reason?: string): Insight;
  /** The user's insight by id, resolved by them; idempotent. Another user's id is not_found. */
  resolveForUser(userId: string, id: string): Insight;
  list(userId: string, filter: InsightFilter): Insight[];
  /** Open insights whose session is not among `watched` (any user). */
  openOutside(watched: readonly string[]): InsightRow[];
}

/** Insight rows over `db`, publishing on `events` and telling `observer` (notifications); holds no resources. */
export function createInsightStore(db: Db, events: EventBus, observer?: InsightObserver | null): InsightStore {
  const sessionName = (sessionId: string): string | null =>
    db.select({ name: schema.sessions.name }).from(schema.sessions).where(eq(schema.sessions.id, sessionId)).get()?.name ?? null;
  const publish = (row: InsightRow, type: 'insight.created' | 'insight.updated' | 'insight.resolved') => {
    const insight = toInsight(row, sessionName(row.sessionId));
    events.publish(row.userId, type, { insight });
    return insight;
  };
  const context = (d: InsightDraft) => ({ ...d.context, lines: d.lines });

  const store: InsightStore = {
    open: (sessionId) =>
      db
        .select()
        .from(schema.insights)
        .where(and(eq(schema.insights.sessionId, sessionId), eq(schema.insights.resolved, false)))
        .all(),
    byId: (id) => db.select().from(schema.insights).where(eq(schema.insights.id, id)).get(),
    create(userId, orchestratorId, sessionId, d) {
      const at = new Date();
      const row = db
        .insert(schema.insights)
        .values({
          id: randomUUID(),
          userId,
          orchestratorId,
          sessionId,
          type: d.type,
          severity: d.severity,
          message: d.message,
          context: context(d),
          confidence: d.confidence,
          suggestedActions: d.suggestedActions,
          resolved: false,
          createdAt: at,
          updatedAt: at,
        })
        .returning()
        .get();
      observer?.created(row);
      return publish(row, 'insight.created');
    },
    update(row, orchestratorId, d) {
      if (row.severity === d.severity && row.message === d.message && row.orchestratorId === orchestratorId) return null;
      const next = db
        .update(schema.insights)
        .set({
          orchestratorId,
          severity: d.severity,
          message: d.message,
          context: context(d),
          confidence: d.confidence,
          suggestedActions: d.suggestedActions,
          updatedAt: new Date(),
        })
        .where(eq(schema.insights.id, row.id))
        .returning()
        .get();
      observer?.updated(row, next);
      return publish(next, 'insight.updated');
    },
    resolve(row, by, reason) {
      if (row.resolved) return toInsight(row, sessionName(row.sessionId));
      const at = new Date();
      const next = db
        .update(schema.insights)
        .set({
          resolved: true,
          resolvedAt: at,
          resolvedBy: by,
          updatedAt: at,
          ...(reason ? { context: { ...(row.context ?? {}), resolution: reason } } : {}),
        })
        .where(and(eq(schema.insights.id, row.id), eq(schema.insights.resolved, false)))
        .returning()
        .get();
      // Resolved concurrently (the user and the monitor at once): report it as it is.
      if (!next) return toInsight(store.byId(row.id) ?? row, sessionName(row.sessionId));
      observer?.resolved(next);
      return publish(next, 'insight.resolved');
    },
    resolveForUser(userId, id) {
      const row = IdSchema.safeParse(id).success ? store.byId(id) : undefined;
      if (!row || row.userId !== userId) throw new AppError('not_found', `insight ${id} not found`);
      return store.resolve(row, userId);
    },
    list(userId, f) {
      if (f.sessionIds && !f.sessionIds.length) return [];
      return db
        .select({ insight: schema.insights, name: schema.sessions.name })
        .from(schema.insights)
        .leftJoin(schema.sessions, eq(schema.sessions.id, schema.insights.sessionId))
        .where(
          and(
            eq(schema.insights.userId, userId),
            f.open === undefined ? undefined : eq(schema.insights.resolved, !f.open),
            f.sessionId ? eq(schema.insights.sessionId, f.sessionId) : undefined,
            f.sessionIds ? inArray(schema.insights.sessionId, [...f.sessionIds]) : undefined,
          ),
        )
        .orderBy(desc(schema.insights.createdAt))
        .limit(f.limit)
        .all()
        .map((r) => toInsight(r.insight, r.name));
    },
    openOutside: (watched) =>
      db
        .select()
        .from(schema.insights)
        .where(and(eq(schema.insights.resolved, false), watched.length ? notInArray(schema.insights.sessionId, [...watched]) : undefined))
        .all(),
  };
  return store;
}
