'use client';
import { browserTransport, createRdvClient } from '@rdv/client';
import type { Preferences } from '@rdv/core/schemas';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { createActions } from './state/actions';
import { UiContext, type DialogSpec, type Ui } from './app-context';
import { DialogsHost } from './dialogs/dialogs-host';
import { MainPane } from './main-pane';
import { Menu, type MenuItem } from './menu';
import { initialState, reducer } from './state/model';
import { useShortcuts, type ShortcutAction } from './shortcuts';
import { Sidebar, type Whoami } from './sidebar/sidebar';
import { useSync } from './state/sync';
import { usePersistedTabs } from './state/tabs-memory';
import type { TerminalHandle } from './terminal/terminal-view';
import { THEME_KEY, useScheme, type ThemeChoice } from './theme';
import { SignedOut, Toasts, useToasts } from './toasts';
import { useNotificationSurface } from './notifications/surface';

function useCompact(): boolean {
  const [compact, setCompact] = useState(false);
  useEffect(() => {
    const mq = matchMedia('(max-width: 720px)');
    setCompact(mq.matches);
    const on = () => setCompact(mq.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  return compact;
}

/** The whole UI: state, live sync, layout, dialogs, menus and shortcuts. */
export function App() {
  const [state, dispatch] = useReducer(reducer, initialState);
  const stateRef = useRef(state);
  stateRef.current = state;
  const compact = useCompact();
  const [theme, setTheme] = useState<ThemeChoice>('system');
  const scheme = useScheme(theme);
  const [whoami, setWhoami] = useState<Whoami | null>(null);
  const [dialog, setDialog] = useState<DialogSpec | null>(null);
  const [menu, setMenu] = useState<{ x: number; y: number; items: MenuItem[]; label: string } | null>(null);
  const [drawer, setDrawer] = useState(false);
  const [sidebarHidden, setSidebarHidden] = useState(false);
  const [searchOpen, setSearchOpen] = useState(false);
  const terminals = useRef(new Map<string, TerminalHandle>());
  const { toasts, toast } = useToasts();
  // Any 401 means the browser's sign-in has ended.
  const api = useMemo(() => createRdvClient({ transport: browserTransport(), onUnauthorized: () => dispatch({ type: 'signedOut' }) }), []);

  const applyPreferences = useCallback((p: Preferences) => {
    setTheme(p.theme);
    localStorage.setItem(THEME_KEY, p.theme);
  }, []);
  const { reload } = useSync(api, dispatch, applyPreferences);
  usePersistedTabs(state, dispatch);
  useNotificationSurface(state.unread, (id) => {
    dispatch({ type: 'open', id });
    setDrawer(false);
  });

  useEffect(() => {
    const stored = localStorage.getItem(THEME_KEY);
    if (stored === 'light' || stored === 'dark' || stored === 'system') setTheme(stored);
    fetch('/auth/whoami', { cache: 'no-store' })
      .then((r) => (r.ok ? (r.json() as Promise<Whoami>) : null))
      .then(setWhoami, () => {});
  }, []);

  const actions = useMemo(
    () => createActions({ api, dispatch, reload, snapshot: () => stateRef.current, toast }),
    [api, reload, toast],
  );

  const ui: Ui = useMemo(
    () => ({
      state,
      dispatch,
      api,
      actions,
      compact,
      show: setDialog,
      openMenu: setMenu,
      select: (id) => {
        dispatch({ type: 'open', id });
        setDrawer(false);
      },
      terminal: (id) => (id ? terminals.current.get(id) : undefined),
      toast,
    }),
    [state, api, actions, compact, toast],
  );

  const register = useCallback((id: string, handle: TerminalHandle | null) => {
    if (handle) terminals.current.set(id, handle);
    else terminals.current.delete(id);
  }, []);

  const onTheme = (t: ThemeChoice) => {
    setTheme(t);
    localStorage.setItem(THEME_KEY, t);
    api.PATCH('/api/preferences', { body: { theme: t } }).catch(() => toast('Could not save the theme; it applies to this browser only.'));
  };

  useShortcuts((action: ShortcutAction) => {
    const { tabs, activeId } = stateRef.current;
    const i = activeId ? tabs.indexOf(activeId) : -1;
    if (action === 'newSession') setDialog({ kind: 'newSession', folderId: null });
    else if (action === 'newFolder') setDialog({ kind: 'prompt', title: 'New folder', label: 'Name', initial: '', submit: 'Create', onSubmit: async (name) => void (await actions.createFolder(name, null)) });
    else if (action === 'help') setDialog({ kind: 'shortcuts' });
    else if (action === 'searchAll') setDialog({ kind: 'searchAll' });
    else if (action === 'toggleSidebar' && compact) setDrawer((v) => !v);
    else if (action === 'toggleSidebar') setSidebarHidden((v) => !v);
    else if (action === 'find') setSearchOpen(activeId !== null);
    else if (action === 'closeTab' && activeId) dispatch({ type: 'closeTab', id: activeId });
    else if ((action === 'nextTab' || action === 'prevTab') && tabs.length > 0) {
      const j = (i + (action === 'nextTab' ? 1 : -1) + tabs.length) % tabs.length;
      dispatch({ type: 'open', id: tabs[j]! });
    } else if (action.startsWith('tab')) {
      const id = tabs[Number(action.slice(3)) - 1];
      if (id) dispatch({ type: 'open', id });
    }
  });

  const layout = ['app', compact ? 'compact' : 'wide', sidebarHidden && !compact ? 'no-sidebar' : '', drawer ? 'drawer-open' : ''].filter(Boolean).join(' ');
  return (
    <UiContext.Provider value={ui}>
      <div className={layout}>
        {(!compact || drawer) && <Sidebar whoami={whoami} theme={theme} onTheme={onTheme} onClose={compact ? () => setDrawer(false) : undefined} />}
        {compact && drawer && <div className="scrim" onClick={() => setDrawer(false)} />}
        <MainPane
          scheme={scheme}
          searchOpen={searchOpen}
          setSearchOpen={setSearchOpen}
          onMenu={() => (compact ? setDrawer(true) : setSidebarHidden(false))}
          sidebarHidden={sidebarHidden && !compact}
          register={register}
        />
      </div>
      <DialogsHost dialog={dialog} />
      {menu && <Menu {...menu} onClose={() => setMenu(null)} />}
      <Toasts toasts={toasts} />
      {state.signedOut && <SignedOut mode={whoami?.mode ?? 'local'} />}
    </UiContext.Provider>
  );
}
