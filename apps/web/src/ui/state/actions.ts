import type { RdvClient } from '@rdv/client';
import type { CreateSessionInput, Folder, Session } from '@rdv/core/schemas';
import type { Dispatch } from 'react';
import { foldersIn, sessionsIn, type Action, type Insight } from './model';

/** The message to show a person for anything thrown (an api failure is an AppError with the server's message). */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What a person can do, as API calls that update the state (events confirm them soon after). */
export interface Actions {
  /** `hostId`: on another machine (see /api/hosts); absent: this one. */
  createSession(input: CreateSessionInput, hostId?: string): Promise<Session>;
  renameSession(id: string, name: string): Promise<void>;
  moveSession(id: string, folderId: string | null): Promise<void>;
  /** Puts `id` just before `beforeId` (or last when null) inside `folderId`. */
  placeSession(id: string, folderId: string | null, beforeId: string | null): Promise<void>;
  shiftSession(id: string, by: -1 | 1): Promise<void>;
  suspendSession(id: string): Promise<void>;
  resumeSession(id: string): Promise<void>;
  closeSession(id: string): Promise<void>;
  createFolder(name: string, parentId: string | null): Promise<Folder>;
  renameFolder(id: string, name: string): Promise<void>;
  moveFolder(id: string, parentId: string | null): Promise<void>;
  shiftFolder(id: string, by: -1 | 1): Promise<void>;
  deleteFolder(id: string): Promise<void>;
  resolveInsight(id: string): Promise<void>;
  /** Turns Master Control's monitoring on (or off). */
  setMonitoring(orchestratorId: string, on: boolean): Promise<void>;
  /** Sends an insight's suggested reply to its session through the orchestrator. */
  replyToInsight(insight: Insight, action: Insight['actions'][number]): Promise<void>;
}

export function createActions(deps: {
  api: RdvClient;
  dispatch: Dispatch<Action>;
  reload: () => Promise<void>;
  snapshot: () => { sessions: Session[]; folders: Folder[] };
  toast: (message: string) => void;
}): Actions {
  const { api, dispatch, reload, snapshot, toast } = deps;
  /** Runs a change; on failure says why and reloads, so the UI shows the server's truth. */
  const attempt = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      toast(`${what}: ${messageOf(err)}`);
      void reload();
      throw err;
    }
  };
  const sessionOp = (what: string, change: () => Promise<Session>) =>
    attempt(what, async () => {
      dispatch({ type: 'session', session: await change() });
    }).catch(() => {});
  // A session on another host is reached through this api with `?host=`.
  const hostOf = (id: string) => snapshot().sessions.find((s) => s.id === id)?.host?.id;
  const byId = (id: string) => {
    const host = hostOf(id);
    return { params: { path: { id }, ...(host ? { query: { host } } : {}) } };
  };
  const reorderSessions = (ids: string[]) =>
    attempt('Could not reorder', async () => {
      await api.POST('/api/sessions/reorder', { body: { ids } });
      await reload();
    }).catch(() => {});

  const actions: Actions = {
    createSession: (input, hostId) =>
      api.POST('/api/sessions', { body: { ...input, folderId: input.folderId ?? undefined }, params: { query: hostId ? { host: hostId } : {} } }).then((s) => {
        dispatch({ type: 'session', session: s });
        dispatch({ type: 'open', id: s.id });
        return s;
      }),
    renameSession: (id, name) => sessionOp('Could not rename', () => api.PATCH('/api/sessions/{id}', { ...byId(id), body: { name } })),
    moveSession: (id, folderId) => sessionOp('Could not move', () => api.PUT('/api/sessions/{id}/folder', { ...byId(id), body: { folderId } })),
    async placeSession(id, folderId, beforeId) {
      const { sessions, folders } = snapshot();
      const current = sessions.find((s) => s.id === id);
      if (!current) return;
      if ((current.folderId ?? null) !== folderId) await actions.moveSession(id, folderId);
      const ids = sessionsIn(sessions, folders, folderId).map((s) => s.id).filter((x) => x !== id);
      const at = beforeId ? ids.indexOf(beforeId) : -1;
      ids.splice(at < 0 ? ids.length : at, 0, id);
      await reorderSessions(ids);
    },
    async shiftSession(id, by) {
      const { sessions, folders } = snapshot();
      const s = sessions.find((x) => x.id === id);
      if (!s) return;
      const ids = sessionsIn(sessions, folders, s.folderId ?? null).map((x) => x.id);
      const i = ids.indexOf(id);
      const j = i + by;
      if (i < 0 || j < 0 || j >= ids.length) return;
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
      await reorderSessions(ids);
    },
    suspendSession: (id) => sessionOp('Could not suspend', () => api.POST('/api/sessions/{id}/suspend', byId(id))),
    resumeSession: (id) => sessionOp('Could not resume', () => api.POST('/api/sessions/{id}/resume', byId(id))),
    closeSession: (id) =>
      attempt('Could not close', async () => {
        await api.DELETE('/api/sessions/{id}', byId(id));
        dispatch({ type: 'dismiss', id });
      }).catch(() => {}),
    createFolder: (name, parentId) =>
      api.POST('/api/folders', { body: { name, parentId } }).then((f) => {
        dispatch({ type: 'folder', folder: f });
        return f;
      }),
    renameFolder: (id, name) =>
      attempt('Could not rename', async () => {
        dispatch({ type: 'folder', folder: await api.PATCH('/api/folders/{id}', { ...byId(id), body: { name } }) });
      }).catch(() => {}),
    moveFolder: (id, parentId) =>
      attempt('Could not move the folder', async () => {
        dispatch({ type: 'folder', folder: await api.PATCH('/api/folders/{id}', { ...byId(id), body: { parentId } }) });
      }).catch(() => {}),
    async shiftFolder(id, by) {
      const { folders } = snapshot();
      const f = folders.find((x) => x.id === id);
      if (!f) return;
      const ids = foldersIn(folders, f.parentId).map((x) => x.id);
      const i = ids.indexOf(id);
      const j = i + by;
      if (i < 0 || j < 0 || j >= ids.length) return;
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
      await attempt('Could not reorder', async () => {
        await api.POST('/api/folders/reorder', { body: { parentId: f.parentId, ids } });
        await reload();
      }).catch(() => {});
    },
    deleteFolder: (id) =>
      attempt('Could not delete the folder', async () => {
        await api.DELETE('/api/folders/{id}', byId(id));
        await reload();
      }).catch(() => {}),
    resolveInsight: (id) =>
      attempt('Could not resolve', async () => {
        await api.POST('/api/insights/{id}/resolve', byId(id));
        dispatch({ type: 'insight', insight: { id, orchestratorId: null, sessionId: null, type: '', severity: '', message: '', createdAt: null, actions: [] }, resolved: true });
      }).catch(() => {}),
    setMonitoring: (orchestratorId, on) =>
      attempt(on ? 'Could not turn monitoring on' : 'Could not turn monitoring off', async () => {
        if (on) await api.POST('/api/orchestrators/{id}/monitoring/start', byId(orchestratorId));
        else await api.POST('/api/orchestrators/{id}/monitoring/stop', byId(orchestratorId));
        dispatch({ type: 'monitoring', value: { orchestratorId, on } });
      }).catch(() => {}),
    replyToInsight: (insight, action) =>
      attempt('Could not send the reply', async () => {
        if (!insight.orchestratorId || !insight.sessionId) throw new Error('this insight has no orchestrator');
        const body = { sessionId: insight.sessionId, reason: `attention list: ${action.label}`, ...(action.text ? { text: action.text } : { keys: action.keys }) };
        await api.POST('/api/orchestrators/{id}/inject', { ...byId(insight.orchestratorId), body });
      }).catch(() => {}),
  };
  return actions;
}
