import type { ApiClient } from '../client/index.js';
import { AppError } from '../errors/index.js';
import { IdSchema, type Folder, type Session } from '../schemas/index.js';

/** An object the API returns whose shape this side does not pin down (worktrees, orchestrators, insights). */
export type Loose = Record<string, unknown>;

const enc = encodeURIComponent;

/** Builds `?a=1&b=2` from the defined values only (unknown query keys are refused by strict routes). */
export function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined);
  return entries.length ? `?${entries.map(([k, v]) => `${enc(k)}=${enc(String(v))}`).join('&')}` : '';
}

/** True for an orchestrator that watches all of a user's sessions (Master Control). */
export function isMasterOrchestrator(o: Loose): boolean {
  return o.kind === 'master';
}

/**
 * The calls the MCP tools make, over an ApiClient. Errors are the client's AppErrors
 * (ServiceDownError when nothing answers); callers turn them into messages.
 */
export function createRdvApi(client: ApiClient) {
  const api = {
    listSessions: (status?: string, folderId?: string) =>
      client.call<{ items: Session[] }>('GET', `/api/sessions${query({ status, folderId })}`),
    getSession: (id: string) => client.call<Session>('GET', `/api/sessions/${enc(id)}`),
    /** A session by id, or by name (an open one first, then the newest). */
    async resolveSession(ref: string): Promise<Session> {
      if (IdSchema.safeParse(ref).success) return api.getSession(ref);
      const { items } = await api.listSessions('all');
      const open = (s: Session) => s.status === 'active' || s.status === 'suspended';
      const match = items
        .filter((s) => s.name === ref)
        .sort((a, b) => Number(open(b)) - Number(open(a)) || b.createdAt.localeCompare(a.createdAt))[0];
      if (!match) throw new AppError('not_found', `session ${ref} not found`);
      return match;
    },
    createSession: (body: Loose) => client.call<Session>('POST', '/api/sessions', body),
    updateSession: (id: string, body: Loose) => client.call<Session>('PATCH', `/api/sessions/${enc(id)}`, body),
    closeSession: (id: string) => client.call<Session>('DELETE', `/api/sessions/${enc(id)}`),
    suspendSession: (id: string) => client.call<Session>('POST', `/api/sessions/${enc(id)}/suspend`),
    resumeSession: (id: string) => client.call<Session>('POST', `/api/sessions/${enc(id)}/resume`),
    requestAttention: (id: string, message: string) => client.call<Loose>('POST', `/api/sessions/${enc(id)}/attention`, { message }),
    exec: (id: string, command: string) => client.call<{ sessionId: string; sent: true }>('POST', `/api/sessions/${enc(id)}/exec`, { command }),
    scrollback: (id: string, lines: number) =>
      client.call<{ sessionId: string; lines: number; text: string }>('GET', `/api/sessions/${enc(id)}/scrollback${query({ lines })}`),

    listFolders: () => client.call<{ items: Folder[] }>('GET', '/api/folders'),
    createFolder: (body: Loose) => client.call<Folder>('POST', '/api/folders', body),
    folderContext: (id: string) => client.call<Loose>('GET', `/api/folders/${enc(id)}/context`),
    /** A folder by id or by name (a name shared by several folders is refused). */
    async resolveFolder(ref: string): Promise<Folder> {
      const { items } = await api.listFolders();
      const byId = items.find((f) => f.id === ref);
      if (byId) return byId;
      const named = items.filter((f) => f.name === ref);
      if (named.length === 1) return named[0]!;
      if (named.length > 1) {
        throw new AppError('conflict', `several folders are named ${ref} (${named.map((f) => f.id).join(', ')}); use the folder's id`);
      }
      throw new AppError('not_found', `folder ${ref} not found`);
    },

    listWorktrees: (repoPath?: string, status?: string) =>
      client.call<{ items: Loose[] }>('GET', `/api/worktrees${query({ repoPath, status })}`),
    createWorktree: (body: Loose) => client.call<Loose>('POST', '/api/worktrees', body),
    removeWorktree: (body: Loose) => client.call<Loose>('DELETE', '/api/worktrees', body),
    /** Git status for one worktree (id or path), one repository's, or (none given) every active one's. */
    async worktreeStatus(ref: { id?: string; path?: string; repoPath?: string }): Promise<{ items: Loose[] }> {
      if (ref.id || ref.path || ref.repoPath) return client.call<{ items: Loose[] }>('GET', `/api/worktrees/status${query(ref)}`);
      const repos = [...new Set((await api.listWorktrees()).items.map((w) => String(w.repoPath)))];
      const lists = await Promise.all(repos.map((repoPath) => api.worktreeStatus({ repoPath })));
      return { items: lists.flatMap((l) => l.items) };
    },

    listOrchestrators: () => client.call<{ items: Loose[] }>('GET', '/api/orchestrators'),
    monitoringStatus: (id: string) => client.call<Loose>('GET', `/api/orchestrators/${enc(id)}/monitoring/status`),
    /** Insights, newest first: one orchestrator's, or (no id) all of the user's; open ones unless `all`. */
    insights: (id: string | undefined, all: boolean) =>
      client.call<{ items: Loose[] }>('GET', `${id ? `/api/orchestrators/${enc(id)}/insights` : '/api/insights'}${query({ open: all ? undefined : 'true' })}`),
    resolveInsight: (id: string) => client.call<Loose>('POST', `/api/insights/${enc(id)}/resolve`),
    inject: (orchestratorId: string, body: Loose) => client.call<Loose>('POST', `/api/orchestrators/${enc(orchestratorId)}/inject`, body),
    /** The given orchestrator id, else Master Control (the api makes it on first use). */
    async pickOrchestrator(id?: string): Promise<string> {
      if (id) return id;
      const { items } = await api.listOrchestrators();
      const master = items.find(isMasterOrchestrator) ?? (await client.call<Loose>('POST', '/api/orchestrators', { kind: 'master' }));
      if (typeof master.id !== 'string') throw new AppError('internal', 'the api returned an orchestrator without an id');
      return master.id;
    },
  };
  return api;
}

export type RdvApi = ReturnType<typeof createRdvApi>;
