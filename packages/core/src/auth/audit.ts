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

/** Appends an audit row. Never pass a secret: tokens are named by id. */
export function writeAudit(db: Db, entry: AuditInput): void {
  db.insert(schema.auditLog)
    .values({
      at: new Date(),
      action: entry.action,
      outcome: entry.outcome,
      userId: entry.userId ?? null,
      tokenId: entry.tokenId ?? null,
      authMethod: entry.authMethod ?? null,
      target: entry.target ?? null,
      detail: entry.detail ?? null,
    })
    .run();
}

export function listAudit(db: Db, userId: string, limit = 100) {
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
  return db.delete(schema.auditLog).where(lt(schema.auditLog.at, before)).run().changes;
}
