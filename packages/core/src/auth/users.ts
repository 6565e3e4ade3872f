import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { AppError } from '../errors/index.js';
import { schema, type Db } from '../db/index.js';
import type { User } from '../schemas/index.js';
import { createToken, verifyToken } from './tokens.js';
import { writeSecretFile } from './service-token.js';

type UserRow = typeof schema.users.$inferSelect;

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    isOwner: row.isOwner,
    createdAt: row.createdAt.toISOString(),
  };
}

// Every authenticated request reads its user: the query is built and prepared once per database.
const byId = new WeakMap<Db, ReturnType<typeof prepareUserById>>();
const prepareUserById = (db: Db) => db.select().from(schema.users).where(eq(schema.users.id, sql.placeholder('id'))).prepare();

export function getUser(db: Db, id: string): User | null {
  let query = byId.get(db);
  if (!query) byId.set(db, (query = prepareUserById(db)));
  const row = query.get({ id });
  return row ? toUser(row) : null;
}

export function getOwner(db: Db): User | null {
  const row = db.select().from(schema.users).where(eq(schema.users.isOwner, true)).get();
  return row ? toUser(row) : null;
}

export interface EnsureOwnerResult {
  owner: User;
  createdUser: boolean;
  /** True when a new CLI token was written to the cli-token file. */
  wroteCliToken: boolean;
}

/**
 * Makes sure the owner exists (email from `owner_email`) and that `cli-token` holds a
 * valid CLI token of theirs; writes a new one (0600) when the file is missing or stale.
 */
export function ensureOwner(db: Db, options: { email: string; cliTokenPath: string; log: Logger }): EnsureOwnerResult {
  const email = options.email ? options.email.toLowerCase() : null;
  let owner = getOwner(db);
  let createdUser = false;
  if (!owner) {
    const row = db
      .insert(schema.users)
      .values({ id: randomUUID(), email, name: 'owner', isOwner: true, createdAt: new Date() })
      .returning()
      .get();
    owner = toUser(row);
    createdUser = true;
    options.log.info({ userId: owner.id }, 'created the owner user');
  } else if (email && owner.email !== email) {
    const clash = db.select().from(schema.users).where(eq(schema.users.email, email)).get();
    if (clash && clash.id !== owner.id) {
      throw new AppError('conflict', `owner_email ${email} already belongs to another user`);
    }
    db.update(schema.users).set({ email, updatedAt: new Date() }).where(eq(schema.users.id, owner.id)).run();
    owner = { ...owner, email };
  }
  let valid = false;
  if (existsSync(options.cliTokenPath)) {
    const secret = readFileSync(options.cliTokenPath, 'utf8').trim();
    const result = verifyToken(db, secret);
    valid = result.ok && result.token.userId === owner.id;
  }
  if (!valid) {
    const { token, record } = createToken(db, { userId: owner.id, kind: 'cli', name: 'owner-cli' });
    writeSecretFile(options.cliTokenPath, `${token}\n`);
    options.log.info({ tokenId: record.id, path: options.cliTokenPath }, 'wrote the owner CLI token');
  }
  return { owner, createdUser, wroteCliToken: !valid };
}

/**
 * The user for a verified browser email: the owner when it is the owner's email (or
 * when `localOwner` is set, for local mode), else that email's user, created on first sight.
 */
export function resolveUserByEmail(db: Db, email: string): User {
  const normalized = email.trim().toLowerCase();
  const existing = db.select().from(schema.users).where(eq(schema.users.email, normalized)).get();
  if (existing) return toUser(existing);
  const row = db
    .insert(schema.users)
    .values({ id: randomUUID(), email: normalized, name: normalized.split('@')[0] ?? null, createdAt: new Date() })
    .returning()
    .get();
  return toUser(row);
}
