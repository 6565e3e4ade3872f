// What every caller of the api needs beyond single calls: finding a session or folder by
// what a person typed, Master Control, and worktree status across repositories.
import { AppError } from '@rdv/core/errors';
import { IdSchema, type Folder, type Session } from '@rdv/core/schemas';
import type { RdvClient } from './client.js';

/** 4 to 35 characters of a UUID: what a person copies from a table. */
const SHORT_ID = /^[0-9a-f-]{4,35}$/i;

const isOpen = (s: Pick<Session, 'status'>) => s.status === 'active' || s.status === 'suspended';

type SessionLike = Pick<Session, 'id' | 'name' | 'status' | 'createdAt'>;

/**
 * The session `ref` names among `items`: the one with that exact name (an open one before
 * an ended one, then the newest), else the one whose id starts with `ref`. Errors:
 * `not_found`, or `conflict` when an id prefix fits several.
 */
export function findSession<S extends SessionLike>(items: S[], ref: string): S {
  const named = items
    .filter((s) => s.name === ref)
    .sort((a, b) => Number(isOpen(b)) - Number(isOpen(a)) || b.createdAt.localeCompare(a.createdAt));
  if (named[0]) return named[0];
  if (SHORT_ID.test(ref)) {
    const prefixed = items.filter((s) => s.id.startsWith(ref.toLowerCase()));
    if (prefixed.length === 1) return prefixed[0]!;
    if (prefixed.length > 1) {
      throw new AppError('conflict', `${ref} matches several sessions (${prefixed.map((s) => s.name).join(', ')}); give more of the id`);
    }
  }
  throw new AppError('not_found', `session ${ref} not found`);
}

/** A session by id, or else by name or id prefix (see findSession) among all of yours. */
export async function resolveSession(client: RdvClient, ref: string): Promise<Session> {
  if (IdSchema.safeParse(ref).success) return client.GET('/api/sessions/{id}', { params: { path: { id: ref } } });
  const { items } = await client.GET('/api/sessions', { params: { query: { status: 'all' } } });
  return findSession(items, ref);
}

/**
 * The folder `ref` names among `items`: by id, by name (a name several folders share is a
 * `conflict`), else by a unique id prefix; `not_found` otherwise.
 */
export function findFolder<F extends Pick<Folder, 'id' | 'name'>>(items: F[], ref: string): F {
  const exact = items.find((f) => f.id === ref);
  if (exact) return exact;
  const named = items.filter((f) => f.name === ref);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) throw new AppError('conflict', `several folders are named ${ref} (${named.map((f) => f.id).join(', ')}); use the folder's id`);
  if (SHORT_ID.test(ref)) {
    const prefixed = items.filter((f) => f.id.startsWith(ref.toLowerCase()));
    if (prefixed.length === 1) return prefixed[0]!;
  }
  throw new AppError('not_found', `folder ${ref} not found`);
}

/** A folder by id, name or id prefix (see findFolder). */
export async function resolveFolder(client: RdvClient, ref: string): Promise<Folder> {
  return findFolder((await client.GET('/api/folders')).items, ref);
}

/** True for Master Control (all of a user's sessions) rather than a folder orchestrator. */
export const isMasterOrchestrator = (o: { kind: string }): boolean => o.kind === 'master';

/** Master Control, made on first use. */
export async function masterOrchestrator(client: RdvClient) {
  const { items } = await client.GET('/api/orchestrators');
  return items.find(isMasterOrchestrator) ?? client.POST('/api/orchestrators', { body: { kind: 'master' } });
}

/** Git status of one worktree (id or path), of one repository's, or (nothing given) of every active one. */
export async function worktreeStatus(client: RdvClient, ref: { id?: string; path?: string; repoPath?: string } = {}) {
  if (ref.id || ref.path || ref.repoPath) return client.GET('/api/worktrees/status', { params: { query: ref } });
  const repos = [...new Set((await client.GET('/api/worktrees')).items.map((w) => w.repoPath))];
  const lists = await Promise.all(repos.map((repoPath) => client.GET('/api/worktrees/status', { params: { query: { repoPath } } })));
  return { items: lists.flatMap((l) => l.items) };
}
