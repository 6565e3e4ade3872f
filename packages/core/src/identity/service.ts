import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { SecretBox } from '../auth/index.js';
import { schema, type Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import type { EventBus } from '../events/index.js';
import type { CreateIdentity, Identity } from '../schemas/index.js';
import { fingerprintOf, generateKey, publicKeyOf } from './keys.js';

type Row = typeof schema.identities.$inferSelect;

export interface IdentityServiceDeps {
  db: Db;
  /** Seals private keys (openSecretBox(paths.serverDir)). */
  box: SecretBox;
  events?: EventBus;
  log: Logger;
}

/** An identity with its decrypted key, for the moment an ssh-agent needs it; never sent anywhere else. */
export interface UnsealedIdentity {
  id: string;
  name: string;
  email: string;
  publicKey: string;
  privateKey: Buffer;
}

/** Git identities of users: an author name and email and an SSH key kept sealed. */
export interface IdentityService {
  list(userId: string): Identity[];
  get(userId: string, id: string): Identity;
  /** Generates (ssh-keygen) or imports (checked by ssh-keygen; no passphrase) the key; seals it. */
  create(userId: string, input: CreateIdentity): Promise<Identity>;
  update(userId: string, id: string, patch: { name?: string; email?: string }): Identity;
  /** Deletes it; repositories that used it keep working without one (https, local). */
  remove(userId: string, id: string): Identity;
  /** Sets (or with null clears) the user default, or a folder's default. */
  setDefault(userId: string, identityId: string | null, folderId?: string): void;
  /** The identity a folder (or, without one, the user) works as: the nearest folder default up the tree, else the user default. */
  effective(userId: string, folderId?: string | null): { identity: Identity | null; source: string | null };
  /** The identity with its private key opened (for an ssh-agent). */
  unseal(userId: string, id: string): UnsealedIdentity;
}

export function createIdentityService(deps: IdentityServiceDeps): IdentityService {
  const { db, box, log } = deps;
  const aad = (id: string) => `identity:${id}`;
  const defaults = (userId: string) => db.select().from(schema.identityDefaults).where(eq(schema.identityDefaults.userId, userId)).all();
  const toIdentity = (r: Row, defs = defaults(r.userId)): Identity => ({
    id: r.id,
    name: r.name,
    email: r.email,
    publicKey: r.publicKey,
    fingerprint: fingerprintOf(r.publicKey),
    isDefault: defs.some((d) => d.folderId === '' && d.identityId === r.id),
    defaultForFolders: defs.filter((d) => d.folderId !== '' && d.identityId === r.id).map((d) => d.folderId),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  });
  const row = (userId: string, id: string): Row => {
    const r = db.select().from(schema.identities).where(and(eq(schema.identities.id, id), eq(schema.identities.userId, userId))).get();
    if (!r) throw new AppError('not_found', `identity ${id} not found`);
    return r;
  };
  const folderOf = (userId: string, id: string) => {
    const f = db.select().from(schema.folders).where(and(eq(schema.folders.id, id), eq(schema.folders.userId, userId))).get();
    if (!f) throw new AppError('not_found', `folder ${id} not found`);
    return f;
  };
  const changed = (userId: string, identity: Identity | { id: string; deleted: true }) => deps.events?.publish(userId, 'identity.updated', { identity });

  const service: IdentityService = {
    list(userId) {
      const defs = defaults(userId);
      return db.select().from(schema.identities).where(eq(schema.identities.userId, userId)).all().map((r) => toIdentity(r, defs));
    },
    get: (userId, id) => toIdentity(row(userId, id)),
    async create(userId, input) {
      const id = randomUUID();
      let privateKey: string;
      let publicKey: string;
      if (input.generate) {
        ({ privateKey, publicKey } = await generateKey(input.email));
        publicKey = publicKey.split(/\s+/).slice(0, 2).join(' ');
      } else {
        privateKey = input.privateKey!.endsWith('\n') ? input.privateKey! : `${input.privateKey!}\n`;
        publicKey = await publicKeyOf(privateKey);
      }
      const at = new Date();
      db.insert(schema.identities)
        .values({ id, userId, name: input.name, email: input.email, publicKey: `${publicKey} ${input.email}`, sealedPrivateKey: box.seal(privateKey, aad(id)), createdAt: at, updatedAt: at })
        .run();
      if (input.makeDefault) service.setDefault(userId, id);
      log.info({ identityId: id, generated: Boolean(input.generate), fingerprint: fingerprintOf(publicKey) }, 'identity created');
      const identity = service.get(userId, id);
      changed(userId, identity);
      return identity;
    },
    update(userId, id, patch) {
      row(userId, id);
      db.update(schema.identities).set({ ...patch, updatedAt: new Date() }).where(eq(schema.identities.id, id)).run();
      const identity = service.get(userId, id);
      changed(userId, identity);
      return identity;
    },
    remove(userId, id) {
      const identity = service.get(userId, id);
      db.delete(schema.identities).where(eq(schema.identities.id, id)).run();
      log.info({ identityId: id }, 'identity deleted');
      changed(userId, { id, deleted: true });
      return identity;
    },
    setDefault(userId, identityId, folderId) {
      if (folderId) folderOf(userId, folderId);
      const key = and(eq(schema.identityDefaults.userId, userId), eq(schema.identityDefaults.folderId, folderId ?? ''));
      if (identityId === null) {
        db.delete(schema.identityDefaults).where(key).run();
      } else {
        row(userId, identityId);
        db.insert(schema.identityDefaults)
          .values({ userId, folderId: folderId ?? '', identityId, updatedAt: new Date() })
          .onConflictDoUpdate({ target: [schema.identityDefaults.userId, schema.identityDefaults.folderId], set: { identityId, updatedAt: new Date() } })
          .run();
      }
      deps.events?.publish(userId, 'identity.updated', { defaultFor: folderId ?? 'user', identityId });
    },
    effective(userId, folderId) {
      const defs = new Map(defaults(userId).map((d) => [d.folderId, d.identityId]));
      const seen = new Set<string>();
      for (let id = folderId ?? null; id && !seen.has(id); ) {
        seen.add(id);
        const f = folderOf(userId, id);
        const found = defs.get(f.id);
        if (found) return { identity: service.get(userId, found), source: f.id };
        id = f.parentId;
      }
      const user = defs.get('');
      return user ? { identity: service.get(userId, user), source: 'user' } : { identity: null, source: null };
    },
    unseal(userId, id) {
      const r = row(userId, id);
      return { id: r.id, name: r.name, email: r.email, publicKey: r.publicKey, privateKey: box.open(r.sealedPrivateKey, aad(r.id)) };
    },
  };
  return service;
}
