import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import { iso, schema, type Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { IdSchema, type Agent, type Session, type SessionStatus } from '../schemas/index.js';

export type SessionRow = typeof schema.sessions.$inferSelect;

/** Statuses of a session that still has (or may get back) its tmux session. */
export const OPEN_STATUSES: SessionStatus[] = ['active', 'suspended'];

export const tmuxNameFor = (id: string): string => `rdv-${id}`;

/** The response shape of a session row (its env stays inside). */
export function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    name: row.name,
    tmuxName: row.tmuxName,
    kind: row.kind,
    agent: (row.agent as Agent | null) ?? null,
    command: row.command,
    cwd: row.cwd,
    folderId: row.folderId,
    worktreeId: row.worktreeId,
    status: row.status,
    position: row.position,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    lastActivityAt: iso(row.lastActivityAt),
    closedAt: iso(row.closedAt),
    exitCode: row.exitCode,
    agentSessionId: row.agentSessionId,
    lostAt: iso(row.lostAt),
    restoredAt: iso(row.restoredAt),
    identityId: row.identityId ?? null,
  };
}

// Nearly every session request starts here: the query is built and prepared once per database.
const rowById = new WeakMap<Db, ReturnType<typeof prepareRowById>>();
const prepareRowById = (db: Db) =>
  db
    .select()
    .from(schema.sessions)
    .where(and(eq(schema.sessions.id, sql.placeholder('id')), eq(schema.sessions.userId, sql.placeholder('userId'))))
    .prepare();

/** The row of one user's session; not_found for a malformed id or anyone else's. */
export function sessionRow(db: Db, userId: string, id: string): SessionRow {
  if (!IdSchema.safeParse(id).success) throw new AppError('not_found', `session ${id} not found`);
  let query = rowById.get(db);
  if (!query) rowById.set(db, (query = prepareRowById(db)));
  const r = query.get({ id, userId });
  if (!r) throw new AppError('not_found', `session ${id} not found`);
  return r;
}

/** One session of one user, by id; not_found for anyone else's (no other service needed). */
export function getSession(db: Db, userId: string, id: string): Session {
  return toSession(sessionRow(db, userId, id));
}

/** Whether one of the user's open sessions (other than `exceptId`) has this name. */
export function openNameTaken(db: Db, userId: string, name: string, exceptId?: string): boolean {
  const match = db
    .select({ id: schema.sessions.id })
    .from(schema.sessions)
    .where(
      and(
        eq(schema.sessions.userId, userId),
        eq(schema.sessions.name, name),
        inArray(schema.sessions.status, OPEN_STATUSES),
        exceptId ? ne(schema.sessions.id, exceptId) : undefined,
      ),
    )
    .get();
  return match !== undefined;
}
