import { findSession, masterOrchestrator, readOutputText, resolveFolder, resolveSession, worktreeStatus, type RdvClient } from '@rdv/client';
import { IdSchema } from '@rdv/core/schemas';
import type { RdvApi } from '@rdv/core/mcp';

const byId = (id: string) => ({ params: { path: { id } } });
/** `?host=` when a tool names another machine. */
const on = (host?: string) => (host && host !== 'local' ? { host } : {});

/** The MCP server's view of the api, over the typed client. */
export function mcpApi(api: RdvClient): RdvApi {
  return {
    listSessions: (query = {}) => api.GET('/api/sessions', { params: { query } }),
    async resolveSession(ref, host) {
      if (!on(host).host) return resolveSession(api, ref);
      if (IdSchema.safeParse(ref).success) return api.GET('/api/sessions/{id}', { params: { path: { id: ref }, query: on(host) } });
      return findSession((await api.GET('/api/sessions', { params: { query: { status: 'all', ...on(host) } } })).items, ref);
    },
    createSession: (body, host) => api.POST('/api/sessions', { body, params: { query: on(host) } }),
    renameSession: (id, name) => api.PATCH('/api/sessions/{id}', { ...byId(id), body: { name } }),
    closeSession: (id) => api.DELETE('/api/sessions/{id}', byId(id)),
    suspendSession: (id) => api.POST('/api/sessions/{id}/suspend', byId(id)),
    resumeSession: (id) => api.POST('/api/sessions/{id}/resume', byId(id)),
    exec: (id, command, host) => api.POST('/api/sessions/{id}/exec', { params: { path: { id }, query: on(host) }, body: { command } }),
    requestAttention: (id, message) => api.POST('/api/sessions/{id}/attention', { ...byId(id), body: { message } }),
    scrollback: (id, lines, host) => api.GET('/api/sessions/{id}/scrollback', { params: { path: { id }, query: { lines, ...on(host) } } }),
    readLog: (id, query) => readOutputText(api, id, query),
    search: (query) => api.GET('/api/search', { params: { query } }),

    listFolders: () => api.GET('/api/folders'),
    createFolder: (body) => api.POST('/api/folders', { body }),
    folderContext: (id) => api.GET('/api/folders/{id}/context', byId(id)),
    resolveFolder: (ref) => resolveFolder(api, ref),

    knowledgeDocument: (id, maxChars) =>
      api.GET('/api/folders/{id}/knowledge/document', { params: { path: { id }, query: maxChars ? { maxChars } : {} } }),
    addKnowledge: (id, body) => api.POST('/api/folders/{id}/knowledge', { ...byId(id), body }),
    searchKnowledge: (id, q, limit) => api.GET('/api/folders/{id}/knowledge/search', { params: { path: { id }, query: { q, ...(limit ? { limit } : {}) } } }),
    addSessionNote: (id, body) => api.POST('/api/sessions/{id}/notes', { ...byId(id), body: { body } }),
    proposeKnowledge: (id, body) => api.POST('/api/folders/{id}/knowledge/proposals', { ...byId(id), body }),
    extractProposals: (id) => api.POST('/api/sessions/{id}/proposals/extract', byId(id)),

    listWorktrees: (query) => api.GET('/api/worktrees', { params: { query } }),
    createWorktree: (body) => api.POST('/api/worktrees', { body }),
    removeWorktree: (body) => api.DELETE('/api/worktrees', { body }),
    worktreeStatus: (ref) => worktreeStatus(api, ref),
    worktreeDiff: (query) => api.GET('/api/worktrees/diff', { params: { query } }),

    listOrchestrators: () => api.GET('/api/orchestrators'),
    monitoringStatus: (id) => api.GET('/api/orchestrators/{id}/monitoring/status', byId(id)),
    insights: (id, all) => {
      const query = all ? {} : { open: 'true' as const };
      return id ? api.GET('/api/orchestrators/{id}/insights', { params: { path: { id }, query } }) : api.GET('/api/insights', { params: { query } });
    },
    resolveInsight: (id) => api.POST('/api/insights/{id}/resolve', byId(id)),
    inject: (id, body) => api.POST('/api/orchestrators/{id}/inject', { ...byId(id), body }),
    masterOrchestrator: () => masterOrchestrator(api),

    listRepositories: () => api.GET('/api/repositories'),
    addRepository: (body) => api.POST('/api/repositories', { body }),
    pushWorktree: (body) => api.POST('/api/worktrees/push', { body }),
  };
}
