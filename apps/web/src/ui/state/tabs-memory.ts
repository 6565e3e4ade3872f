'use client';
import { useEffect, useRef, type Dispatch } from 'react';
import type { Action, State } from './model';

const KEY = 'rdv.tabs';

/**
 * Remembers the open tabs (localStorage) and the selected session (?s= in the URL), and
 * brings them back after a reload once the session list has loaded.
 */
export function usePersistedTabs(state: State, dispatch: Dispatch<Action>): void {
  const restored = useRef(false);
  useEffect(() => {
    if (!state.ready || restored.current) return;
    restored.current = true;
    const ids = new Set(state.sessions.map((s) => s.id));
    let saved: { tabs?: string[]; activeId?: string | null } = {};
    try {
      saved = JSON.parse(localStorage.getItem(KEY) ?? '{}') as typeof saved;
    } catch {
      // A damaged value: start without tabs.
    }
    const fromUrl = new URLSearchParams(location.search).get('s');
    const tabs = (Array.isArray(saved.tabs) ? saved.tabs : []).filter((t) => typeof t === 'string' && ids.has(t));
    if (fromUrl && ids.has(fromUrl) && !tabs.includes(fromUrl)) tabs.push(fromUrl);
    const activeId = fromUrl && ids.has(fromUrl) ? fromUrl : saved.activeId && tabs.includes(saved.activeId) ? saved.activeId : (tabs[0] ?? null);
    dispatch({ type: 'restoreTabs', tabs, activeId });
  }, [state.ready, state.sessions, dispatch]);

  useEffect(() => {
    if (!restored.current) return;
    localStorage.setItem(KEY, JSON.stringify({ tabs: state.tabs, activeId: state.activeId }));
    const url = new URL(location.href);
    if (state.activeId) url.searchParams.set('s', state.activeId);
    else url.searchParams.delete('s');
    if (url.href !== location.href) history.replaceState(null, '', url);
  }, [state.tabs, state.activeId]);
}
