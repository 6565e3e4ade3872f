// What every caller of the api needs beyond single calls: finding a session or folder by
// what a person typed, Master Control, and worktree status across repositories.
import { findFolder, findSession, IdSchema, type Folder, type Session } from '@rdv/core/schemas';
import type { RdvClient } from './client.js';

export { findFolder, findSession } from '@rdv/core/schemas';

/** A session by id, or else by name or id prefix (see findSession) among all of yours. */
export async function resolveSession(client: RdvClient, ref: string): Promise<Session> {
  if (IdSchema.safeParse(ref).success) return client.GET('/api/sessions/{id}', { params: { path: { id: ref } } });
  const { items } = await client.GET('/api/sessions', { params: { query: { status: 'all' } } });
  return findSession(items, ref);
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
