'use client';
import { followEvents, type RdvClient } from '@rdv/client';
import { isAppError } from '@rdv/core/errors';
import { FolderSchema, InsightSchema, PreferencesSchema, SessionSchema, type Insight as ApiInsight, type Preferences, type RdvEvent } from '@rdv/core/schemas';
import { useCallback, useEffect, useRef, type Dispatch } from 'react';
import { z } from 'zod';
import type { Action, Insight } from './model';

/** What `host.event` carries: a host's own event, with the host it came from. */
const HostEventSchema = z.object({
  host: z.object({ id: z.string(), name: z.string() }),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
});

/** An insight as the attention list shows it: only the replies that type into the session. */
function toAttention(i: ApiInsight): Insight {
  return {
    id: i.id,
    orchestratorId: i.orchestratorId,
    sessionId: i.sessionId,
    type: i.type,
    severity: i.severity,
    message: i.message,
    createdAt: i.createdAt,
    actions: i.suggestedActions.filter((a) => a.kind === 'inject' && (a.text || a.keys?.length)),
  };
}

/** The answer, or null when this server has no such route yet (an older rdv). */
async function unlessMissing<T>(request: Promise<T>): Promise<T | null> {
  try {
    return await request;
  } catch (err) {
    if (isAppError(err) && err.code === 'not_found') return null;
    throw err;
  }
}

/** Open insights (the attention list); null when this server has no orchestrator API yet. */
async function loadInsights(api: RdvClient): Promise<Insight[] | null> {
  const list = await unlessMissing(api.GET('/api/insights', { params: { query: { open: 'true' } } }));
  return list ? list.items.filter((i) => !i.resolved && !i.resolvedAt).map(toAttention) : null;
}

/** Whether Master Control watches (any monitoring orchestrator counts as watching); null without orchestrators. */
async function loadMonitoring(api: RdvClient): Promise<{ orchestratorId: string | null; on: boolean } | null> {
  const list = await unlessMissing(api.GET('/api/orchestrators'));
  if (!list) return null;
  const master = list.items.find((o) => o.kind === 'master');
  return { orchestratorId: master?.id ?? null, on: list.items.some((o) => o.monitoring) };
}

/**
 * Loads sessions, folders and optional features, then follows /api/events with the
 * client's event reader, which resumes with Last-Event-ID after a break; after any gap
 * the lists are reloaded too, so the UI never drifts from the server. Returns `reload`
 * for after the person's own changes.
 */
export function useSync(api: RdvClient, dispatch: Dispatch<Action>, onPreferences: (p: Preferences) => void): { reload: () => Promise<void> } {
  const prefsRef = useRef(onPreferences);
  prefsRef.current = onPreferences;

  const reload = useCallback(async () => {
    try {
      // Every host's sessions too: a host that is down contributes what it listed last, marked so.
      const [sessions, folders] = await Promise.all([api.GET('/api/sessions', { params: { query: { host: 'all' } } }), api.GET('/api/folders')]);
      dispatch({ type: 'loaded', sessions: sessions.items, folders: folders.items });
      const hosts = await unlessMissing(api.GET('/api/hosts'));
      dispatch({ type: 'hosts', items: hosts?.items ?? [] });
    } catch (err) {
      dispatch({ type: 'loadFailed', message: err instanceof Error ? err.message : String(err) });
    }
  }, [api, dispatch]);

  const reloadInsights = useCallback(async () => {
    try {
      const items = await loadInsights(api);
      dispatch({ type: 'features', orchestrators: items !== null });
      dispatch({ type: 'insights', items: items ?? [] });
      dispatch({ type: 'monitoring', value: await loadMonitoring(api) });
      const centre = await unlessMissing(api.GET('/api/notifications', { params: { query: { limit: 1 } } }));
      if (centre) dispatch({ type: 'unread', count: centre.unread });
    } catch {
      // Insights are a nicety: a failure leaves the attention list as it was.
    }
  }, [api, dispatch]);

  useEffect(() => {
    void reload();
    void reloadInsights();
    unlessMissing(api.GET('/api/worktrees')).then(
      (r) => dispatch({ type: 'features', worktrees: r !== null }),
      () => dispatch({ type: 'features', worktrees: false }),
    );
    api.GET('/api/preferences').then((p) => prefsRef.current(p), () => {});
  }, [api, dispatch, reload, reloadInsights]);

  useEffect(() => {
    const handle = ({ type, data }: RdvEvent) => {
      if (type === 'host.state') {
        // A host came, went or changed: its sessions are re-read (greyed out while it is down).
        void reload();
      } else if (type === 'host.event') {
        const host = HostEventSchema.safeParse(data);
        if (!host.success) return;
        if (host.data.type.startsWith('session.')) {
          const s = SessionSchema.safeParse(host.data.data.session);
          if (s.success) dispatch({ type: 'session', session: { ...s.data, host: { ...host.data.host, state: 'connected' } } });
          else void reload();
        } else if (host.data.type.startsWith('notification.')) {
          api.GET('/api/notifications', { params: { query: { limit: 1 } } }).then((r) => dispatch({ type: 'unread', count: r.unread }), () => {});
        }
      } else if (type.startsWith('session.')) {
        const s = SessionSchema.safeParse(data.session);
        if (s.success) dispatch({ type: 'session', session: s.data });
        else void reload();
      } else if (type === 'folder.deleted' || (type.startsWith('folder.') && !data.folder)) {
        void reload();
      } else if (type.startsWith('folder.')) {
        const f = FolderSchema.safeParse(data.folder);
        if (f.success) dispatch({ type: 'folder', folder: f.data });
      } else if (type === 'preferences.updated') {
        const p = PreferencesSchema.safeParse(data.preferences);
        if (p.success) prefsRef.current(p.data);
      } else if (type === 'notification.created' || type === 'notification.read') {
        // The count is the server's: a reload keeps it exact whatever this tab missed.
        api.GET('/api/notifications', { params: { query: { limit: 1 } } }).then((r) => dispatch({ type: 'unread', count: r.unread }), () => {});
      } else if (type === 'proposal.created' || type === 'proposal.updated') {
        dispatch({ type: 'proposals' });
      } else if (type === 'orchestrator.updated') {
        void reloadInsights();
      } else if (type.startsWith('insight.')) {
        const i = InsightSchema.safeParse(data.insight);
        if (i.success) dispatch({ type: 'insight', insight: toAttention(i.data), resolved: type === 'insight.resolved' || i.data.resolved || i.data.resolvedAt !== null });
        else void reloadInsights();
      }
    };
    let stream: ReturnType<typeof followEvents> | null = null;
    let restart: ReturnType<typeof setTimeout> | null = null;
    let hadGap = false;
    let stopped = false;
    const follow = (lastEventId?: number) => {
      if (stopped) return;
      stream = followEvents(api, {
        ...(lastEventId !== undefined ? { lastEventId } : {}),
        onEvent: handle,
        onOpen: () => {
          dispatch({ type: 'live', value: 'live' });
          if (hadGap) {
            hadGap = false;
            void reload();
            void reloadInsights();
          }
        },
        onError: (err, willRetry) => {
          hadGap = true;
          dispatch({ type: 'live', value: 'reconnecting' });
          if (err.code === 'unauthorized') dispatch({ type: 'signedOut' });
          // A refusal the reader does not retry (signed out, or an edge without events yet): start over later.
          if (!willRetry) restart = setTimeout(() => follow(stream?.lastEventId()), 3000);
        },
      });
    };
    follow();
    return () => {
      stopped = true;
      if (restart) clearTimeout(restart);
      stream?.close();
    };
  }, [api, dispatch, reload, reloadInsights]);

  return { reload };
}
