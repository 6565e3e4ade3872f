// The MCP tools' view of the api when MCP is served by the api itself (/mcp): each tool
// call is a request to api.sock with the caller's own bearer credential, so the tools see
// exactly what the caller may see, count against the caller's rate limits and land in the
// audit log under the caller's token, just as `rdv mcp` does over the typed client.
import { AppError, HTTP_STATUS, type ErrorCode } from '@rdv/core/errors';
import { socketRequest } from '@rdv/core/lifecycle';
import type { RdvApi } from '@rdv/core/mcp';
import { ErrorBodySchema, findFolder, findSession, IdSchema, type Folder, type Orchestrator, type Session } from '@rdv/core/schemas';

type Query = Record<string, string | number | boolean | undefined>;
type Call = <T>(method: string, path: string, init?: { query?: Query; body?: unknown }) => Promise<T>;

const CODE_OF_STATUS = new Map<number, ErrorCode>(Object.entries(HTTP_STATUS).map(([code, status]) => [status, code as ErrorCode]));

function queryString(query: Query | undefined): string {
  const pairs = Object.entries(query ?? {}).filter((e): e is [string, string | number | boolean] => e[1] !== undefined);
  return pairs.length ? `?${new URLSearchParams(pairs.map(([k, v]): [string, string] => [k, String(v)]))}` : '';
}

/** One call to api.sock as `authorization`; a non-2xx answer becomes its AppError. */
function loopbackCall(socketPath: string, authorization: string): Call {
  return async <T>(method: string, path: string, init: { query?: Query; body?: unknown } = {}) => {
    const res = await socketRequest<T>(socketPath, path + queryString(init.query), { method, body: init.body, headers: { authorization } });
    if (res.status < 300) return res.body;
    const parsed = ErrorBodySchema.safeParse(res.body);
    if (parsed.success) throw new AppError(parsed.data.error.code, parsed.data.error.message);
    throw new AppError(CODE_OF_STATUS.get(res.status) ?? 'internal', `request failed (HTTP ${res.status})`);
  };
}

const enc = encodeURIComponent;
type List<T> = { items: T[] };

/** The RdvApi of the tools, over api.sock with the caller's `Authorization` header. */
export function loopbackApi(socketPath: string, authorization: string): RdvApi {
  const call = loopbackCall(socketPath, authorization);
  const session = (id: string, action = '') => `/api/sessions/${enc(id)}${action}`;
  return {
    listSessions: (query = {}) => call('GET', '/api/sessions', { query }),
    async resolveSession(ref, host) {
      if (IdSchema.safeParse(ref).success) return call('GET', session(ref), { query: { host } });
      return findSession((await call<List<Session>>('GET', '/api/sessions', { query: { status: 'all', host } })).items, ref);
    },
    createSession: (body, host) => call('POST', '/api/sessions', { body, query: { host } }),
    renameSession: (id, name) => call('PATCH', session(id), { body: { name } }),
    closeSession: (id) => call('DELETE', session(id)),
    suspendSession: (id) => call('POST', session(id, '/suspend')),
    resumeSession: (id) => call('POST', session(id, '/resume')),
    exec: (id, command, host) => call('POST', session(id, '/exec'), { body: { command }, query: { host } }),
    requestAttention: (id, message) => call('POST', session(id, '/attention'), { body: { message } }),
    scrollback: (id, lines, host) => call('GET', session(id, '/scrollback'), { query: { lines, host } }),
    readLog: (id, query) => call('GET', session(id, '/output'), { query }),
    search: (query) => call('GET', '/api/search', { query }),

    listFolders: () => call('GET', '/api/folders'),
    createFolder: (body) => call('POST', '/api/folders', { body }),
    folderContext: (id) => call('GET', `/api/folders/${enc(id)}/context`),
    resolveFolder: async (ref) => findFolder((await call<List<Folder>>('GET', '/api/folders')).items, ref),
    knowledgeDocument: (id, maxChars) => call('GET', `/api/folders/${enc(id)}/knowledge/document`, { query: { maxChars } }),
    addKnowledge: (id, body) => call('POST', `/api/folders/${enc(id)}/knowledge`, { body }),
    searchKnowledge: (id, q, limit) => call('GET', `/api/folders/${enc(id)}/knowledge/search`, { query: { q, limit } }),
    addSessionNote: (id, body) => call('POST', session(id, '/notes'), { body: { body } }),
    proposeKnowledge: (id, body) => call('POST', `/api/folders/${enc(id)}/knowledge/proposals`, { body }),
    extractProposals: (id) => call('POST', session(id, '/proposals/extract')),

    listWorktrees: (query) => call('GET', '/api/worktrees', { query }),
    createWorktree: (body) => call('POST', '/api/worktrees', { body }),
    removeWorktree: (body) => call('DELETE', '/api/worktrees', { body }),
    async worktreeStatus(ref) {
      if (ref.id || ref.path || ref.repoPath) return call('GET', '/api/worktrees/status', { query: ref });
      const { items } = await call<List<{ repoPath: string }>>('GET', '/api/worktrees');
      const lists = await Promise.all(
        [...new Set(items.map((w) => w.repoPath))].map((repoPath) => call<List<Record<string, unknown>>>('GET', '/api/worktrees/status', { query: { repoPath } })),
      );
      return { items: lists.flatMap((l) => l.items) };
    },

    worktreeDiff: (query) => call('GET', '/api/worktrees/diff', { query }),

    listOrchestrators: () => call('GET', '/api/orchestrators'),
    monitoringStatus: (id) => call('GET', `/api/orchestrators/${enc(id)}/monitoring/status`),
    insights: (id, all) => call('GET', id ? `/api/orchestrators/${enc(id)}/insights` : '/api/insights', { query: all ? {} : { open: 'true' } }),
    resolveInsight: (id) => call('POST', `/api/insights/${enc(id)}/resolve`),
    inject: (id, body) => call('POST', `/api/orchestrators/${enc(id)}/inject`, { body }),
    async masterOrchestrator() {
      const { items } = await call<List<Orchestrator>>('GET', '/api/orchestrators');
      return items.find((o) => o.kind === 'master') ?? call<Orchestrator>('POST', '/api/orchestrators', { body: { kind: 'master' } });
    },

    listRepositories: () => call('GET', '/api/repositories'),
    addRepository: (body) => call('POST', '/api/repositories', { body }),
    pushWorktree: (body) => call('POST', '/api/worktrees/push', { body }),
  };
}
