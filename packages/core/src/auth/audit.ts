import { desc, eq, lt } from 'drizzle-orm';
import { schema, type Db } from '../db/index.js';

export interface AuditInput {
  action: string;
  outcome: 'ok' | 'denied' | 'error';
  userId?: string | null;
  tokenId?: string | null;
  authMethod?: string | null;
  target?: string | null;
  detail?: Record<string, unknown> | null;
}

const rowOf = (entry: AuditInput, at: Date) => ({
  at,
  action: entry.action,
  outcome: entry.outcome,
  userId: entry.userId ?? null,
  tokenId: entry.tokenId ?? null,
  authMethod: entry.authMethod ?? null,
  target: entry.target ?? null,
  detail: entry.detail ?? null,
});

/** Appends an audit row. Never pass a secret: tokens are named by id. */
export function writeAudit(db: Db, entry: AuditInput): void {
  db.insert(schema.auditLog).values(rowOf(entry, new Date())).run();
}

// Rows queued by `queueAudit`, per database, for at most AUDIT_BATCH_MS.
const pending = new Map<Db, Array<ReturnType<typeof rowOf>>>();
const MAX_PENDING = 500;
const AUDIT_BATCH_MS = 20;

/**
 * Appends an audit row within AUDIT_BATCH_MS, with the others queued meanwhile, in one
 * transaction: a commit per row was a third of what a burst of commands cost (each one a
 * write to the database's log). Stamped now; `listAudit` and `pruneAudit` write what is
 * queued first, and so does a process on its way out (only a kill -9 loses the last moment).
 */
export function queueAudit(db: Db, entry: AuditInput): void {
  let queue = pending.get(db);
  if (!queue) {
    pending.set(db, (queue = []));
    setTimeout(() => {
      try {
        flushAudit(db);
      } catch {
        // Closed without a flush first (the api flushes before it closes the database): nothing can be kept.
      }
    }, AUDIT_BATCH_MS).unref();
  }
  queue.push(rowOf(entry, new Date()));
  if (queue.length >= MAX_PENDING) flushAudit(db);
}

/** Writes the rows `queueAudit` holds for `db` now. */
export function flushAudit(db: Db): void {
  const queue = pending.get(db);
  if (!queue) return;
  pending.delete(db);
  if (queue.length) db.insert(schema.auditLog).values(queue).run();
}

// better-sqlite3 writes synchronously, so even a process on its way out keeps what it queued.
process.once('exit', () => {
  for (const db of [...pending.keys()]) {
    try {
      flushAudit(db);
    } catch {
      // The database is already closed: nothing more can be kept.
    }
  }
});

export function listAudit(db: Db, userId: string, limit = 100) {
  flushAudit(db);
  return db
    .select()
    .from(schema.auditLog)
    .where(eq(schema.auditLog.userId, userId))
    .orderBy(desc(schema.auditLog.id))
    .limit(limit)
    .all()
    .map((row) => ({
      id: row.id,
      at: row.at.toISOString(),
      action: row.action,
      outcome: row.outcome,
      authMethod: row.authMethod,
      tokenId: row.tokenId,
      target: row.target,
      detail: row.detail ?? null,
    }));
}

/** Deletes audit rows older than `before` (the retention); returns how many. */
export function pruneAudit(db: Db, before: Date): number {
  flushAudit(db);
  return db.delete(schema.auditLog).where(lt(schema.auditLog.at, before)).run().changes;
}
