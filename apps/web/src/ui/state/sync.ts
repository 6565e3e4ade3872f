'use client';
import { FolderSchema, PreferencesSchema, RdvEventSchema, SessionSchema, listOf, type Preferences } from '@rdv/core/schemas';
import { useCallback, useEffect, useRef, type Dispatch } from 'react';
import { z } from 'zod';
import { api, optional } from '../api';
import type { Action, Insight } from './model';

const SessionList = listOf(SessionSchema);
const FolderList = listOf(FolderSchema);

/** Insights as the orchestrator API sends them (core InsightSchema); parsed loosely so a newer API still loads. */
const InsightSchema = z
  .object({
    id: z.string(),
    orchestratorId: z.string().nullable().optional(),
    sessionId: z.string().nullable().optional(),
    type: z.string().default('notice'),
    severity: z.string().default('info'),
    message: z.string().default(''),
    createdAt: z.string().nullable().optional(),
    resolved: z.boolean().optional(),
    resolvedAt: z.string().nullable().optional(),
    suggestedActions: z
      .array(z.object({ id: z.string(), label: z.string(), kind: z.string(), text: z.string().optional(), keys: z.array(z.string()).optional() }))
      .optional()
      .catch([]),
  })
  .transform(
    (i): Insight & { done: boolean } => ({
      id: i.id,
      orchestratorId: i.orchestratorId ?? null,
      sessionId: i.sessionId ?? null,
      type: i.type,
      severity: i.severity,
      message: i.message,
      createdAt: i.createdAt ?? null,
      actions: (i.suggestedActions ?? []).filter((a) => a.kind === 'inject' && (a.text || a.keys?.length)),
      done: Boolean(i.resolved || i.resolvedAt),
    }),
  );
const InsightList = z.object({ items: z.array(InsightSchema) });
const OrchestratorList = z.object({ items: z.array(z.object({ id: z.string(), kind: z.string(), monitoring: z.boolean() })) });

/** Whether Master Control watches (any monitoring orchestrator counts as watching). */
async function loadMonitoring(): Promise<{ orchestratorId: string | null; on: boolean } | null> {
  const list = await optional('/api/orchestrators', OrchestratorList);
  if (!list) return null;
  const master = list.items.find((o) => o.kind === 'master');
  return { orchestratorId: master?.id ?? null, on: list.items.some((o) => o.monitoring) };
}

/** Open insights (the attention list); null when this server has no orchestrator API yet. */
async function loadInsights(): Promise<Insight[] | null> {
  const list = await optional('/api/insights?open=true', InsightList);
  return list ? list.items.filter((i) => !i.done) : null;
}

/**
 * Loads sessions, folders and optional features, then follows /api/events. EventSource
 * resumes with Last-Event-ID by itself; after any gap the lists are reloaded, so the UI
 * never drifts from the server. Returns `reload` for after the person's own changes.
 */
export function useSync(dispatch: Dispatch<Action>, onPreferences: (p: Preferences) => void): { reload: () => Promise<void> } {
  const prefsRef = useRef(onPreferences);
  prefsRef.current = onPreferences;

  const reload = useCallback(async () => {
    try {
      const [sessions, folders] = await Promise.all([api('GET', '/api/sessions', undefined, SessionList), api('GET', '/api/folders', undefined, FolderList)]);
      dispatch({ type: 'loaded', sessions: sessions.items, folders: folders.items });
    } catch (err) {
      dispatch({ type: 'loadFailed', message: err instanceof Error ? err.message : String(err) });
    }
  }, [dispatch]);

  const reloadInsights = useCallback(async () => {
    try {
      const items = await loadInsights();
      dispatch({ type: 'features', orchestrators: items !== null });
      dispatch({ type: 'insights', items: items ?? [] });
      dispatch({ type: 'monitoring', value: await loadMonitoring() });
    } catch {
      // Insights are a nicety: a failure leaves the attention list as it was.
    }
  }, [dispatch]);

  useEffect(() => {
    void reload();
    void reloadInsights();
    optional('/api/worktrees').then(
      (r) => dispatch({ type: 'features', worktrees: r !== null }),
      () => dispatch({ type: 'features', worktrees: false }),
    );
    api('GET', '/api/preferences', undefined, PreferencesSchema).then((p) => prefsRef.current(p), () => {});
  }, [dispatch, reload, reloadInsights]);

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let hadGap = false;
    let stopped = false;
    const handle = (raw: MessageEvent<string>) => {
      let parsed;
      try {
        parsed = RdvEventSchema.safeParse(JSON.parse(raw.data));
      } catch {
        return;
      }
      if (!parsed.success) return;
      const { type, data } = parsed.data;
      if (type.startsWith('session.')) {
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
      } else if (type === 'orchestrator.updated') {
        void reloadInsights();
      } else if (type.startsWith('insight.')) {
        const i = InsightSchema.safeParse(data.insight);
        if (i.success) dispatch({ type: 'insight', insight: i.data, resolved: type === 'insight.resolved' || i.data.done });
        else void reloadInsights();
      }
    };
    const connect = () => {
      if (stopped) return;
      source = new EventSource('/api/events');
      source.onopen = () => {
        dispatch({ type: 'live', value: 'live' });
        if (hadGap) {
          hadGap = false;
          void reload();
          void reloadInsights();
        }
      };
      source.onerror = () => {
        hadGap = true;
        dispatch({ type: 'live', value: 'reconnecting' });
        // CLOSED means the browser gave up (an error status, e.g. 401 or 503): start over ourselves.
        if (source?.readyState === EventSource.CLOSED) {
          source.close();
          retry = setTimeout(connect, 3000);
          void fetch('/auth/whoami', { cache: 'no-store' }).then((r) => r.status === 401 && dispatch({ type: 'signedOut' }), () => {});
        }
      };
      for (const type of RdvEventSchema.shape.type.options) source.addEventListener(type, handle as EventListener);
    };
    connect();
    return () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      source?.close();
    };
  }, [dispatch, reload, reloadInsights]);

  return { reload };
}
