'use client';
import { useCallback, useState } from 'react';
import { useUi } from './app-context';
import { CloseIcon, MenuIcon, PlusIcon, SearchIcon, TerminalIcon } from './icons';
import { KeyBar } from './terminal/key-bar';
import { STATUS_LABEL, displayStatus, showsHistory } from './state/model';
import { HistoryBar } from './terminal/history-bar';
import { HistoryView } from './terminal/history-view';
import { SearchBar } from './terminal/search-bar';
import { TerminalOverlay } from './terminal/terminal-overlay';
import type { ConnectionState } from './terminal/terminal-socket';
import { TerminalView, type TerminalHandle } from './terminal/terminal-view';

function EmptyState() {
  const ui = useUi();
  const none = ui.state.ready && ui.state.sessions.length === 0;
  if (!ui.state.ready) return <div className="empty" aria-busy="true" />;
  return (
    <div className="empty">
      <div className="empty-card">
        <TerminalIcon className="empty-icon" />
        <h2>{none ? 'Start your first session' : 'Pick a session'}</h2>
        <p>
          {none
            ? 'A session is a shell or a coding agent in its own tmux session on this machine. It keeps running when you close the browser.'
            : ui.compact
              ? 'Open the menu to choose a session, or start a new one.'
              : 'Choose one on the left, or start a new one.'}
        </p>
        <button type="button" className="button primary" onClick={() => ui.show({ kind: 'newSession', folderId: null })}>
          <PlusIcon /> New session
        </button>
        {!ui.compact && (
          <p className="hint">
            <kbd>Alt</kbd> <kbd>Shift</kbd> <kbd>N</kbd> new session · <kbd>Alt</kbd> <kbd>Shift</kbd> <kbd>?</kbd> all shortcuts
          </p>
        )}
      </div>
    </div>
  );
}

function TabStrip(props: { onSearch: () => void; onShowSidebar: (() => void) | null }) {
  const ui = useUi();
  const { tabs, activeId, sessions, insights } = ui.state;
  return (
    <div className="tab-strip" role="tablist" aria-label="Open sessions">
      {props.onShowSidebar && (
        <button type="button" className="icon-button" title="Show the sidebar (Alt Shift B)" aria-label="Show the sidebar" onClick={props.onShowSidebar}>
          <MenuIcon />
        </button>
      )}
      {tabs.map((id) => {
        const s = sessions.find((x) => x.id === id);
        if (!s) return null;
        const status = displayStatus(s, insights);
        return (
          <div key={id} role="tab" aria-selected={id === activeId} className={id === activeId ? 'tab active' : 'tab'} onClick={() => ui.select(id)} onAuxClick={(e) => e.button === 1 && ui.dispatch({ type: 'closeTab', id })} title={`${s.name} · ${STATUS_LABEL[status]}`}>
            <span className={`dot ${status}`} />
            <span className="tab-name">{s.name}</span>
            <button type="button" className="tab-close" aria-label={`Close tab ${s.name}`} onClick={(e) => { e.stopPropagation(); ui.dispatch({ type: 'closeTab', id }); }}>
              <CloseIcon />
            </button>
          </div>
        );
      })}
      <button type="button" className="icon-button tab-new" title="New session (Alt Shift N)" aria-label="New session" onClick={() => ui.show({ kind: 'newSession', folderId: null })}>
        <PlusIcon />
      </button>
      <span className="tab-fill" />
      {activeId && (
        <button type="button" className="icon-button" title="Find (Alt Shift F)" aria-label="Find in terminal" onClick={props.onSearch}>
          <SearchIcon />
        </button>
      )}
    </div>
  );
}

function PhoneBar(props: { onMenu: () => void; onSearch: () => void }) {
  const ui = useUi();
  const s = ui.state.sessions.find((x) => x.id === ui.state.activeId);
  const status = s ? displayStatus(s, ui.state.insights) : null;
  return (
    <header className="phone-bar">
      <button type="button" className="icon-button" aria-label="Sessions" onClick={props.onMenu}>
        <MenuIcon />
      </button>
      <span className="phone-title">
        {s && status && <span className={`dot ${status}`} />}
        {s ? s.name : 'rdv'}
      </span>
      {s && (
        <button type="button" className="icon-button" aria-label="Find in terminal" onClick={props.onSearch}>
          <SearchIcon />
        </button>
      )}
      <button type="button" className="icon-button" aria-label="New session" onClick={() => ui.show({ kind: 'newSession', folderId: null })}>
        <PlusIcon />
      </button>
    </header>
  );
}

/** The right side: tabs (or the phone bar), the selected terminal, and the phone key bar. */
export function MainPane(props: {
  scheme: 'light' | 'dark';
  searchOpen: boolean;
  setSearchOpen: (v: boolean) => void;
  /** Opens the drawer (phone) or brings the hidden sidebar back (desktop). */
  onMenu: () => void;
  sidebarHidden: boolean;
  register: (id: string, h: TerminalHandle | null) => void;
}) {
  const ui = useUi();
  const { tabs, activeId, sessions } = ui.state;
  const [conn, setConn] = useState<Record<string, ConnectionState>>({});
  const [ctrl, setCtrl] = useState(false);
  const { dispatch } = ui;
  const onState = useCallback(
    (id: string, state: ConnectionState) => {
      setConn((prev) => ({ ...prev, [id]: state }));
      if (state.kind === 'exited') dispatch({ type: 'exited', id, code: state.code });
    },
    [dispatch],
  );
  const onCtrlUsed = useCallback(() => setCtrl(false), []);
  const activeSession = sessions.find((x) => x.id === activeId);
  const history = activeSession ? showsHistory(ui.state, activeSession) : false;
  // Looked up when used: terminals register after they mount, without a re-render.
  const active = () => ui.terminal(history ? `history:${activeId}` : activeId);
  const paste = async () => {
    try {
      const text = await navigator.clipboard.readText();
      if (text) active()?.paste(text);
    } catch {
      // Clipboard reading needs a secure context and permission; offer a box to paste into.
      ui.show({ kind: 'paste' });
    }
  };
  return (
    <main className={history ? 'main with-history' : 'main'}>
      {ui.compact ? <PhoneBar onMenu={props.onMenu} onSearch={() => props.setSearchOpen(true)} /> : <TabStrip onSearch={() => props.setSearchOpen(true)} onShowSidebar={props.sidebarHidden ? props.onMenu : null} />}
      {props.searchOpen && activeId && <SearchBar terminal={active} onClose={() => props.setSearchOpen(false)} />}
      <div className="terminal-area">
        {tabs.map((id) => {
          const s = sessions.find((x) => x.id === id);
          if (!s) return null;
          return (
            // While reconnecting the last screen stays, dimmed: it is no longer live.
            <div key={id} className={conn[id]?.kind === 'reconnecting' ? 'terminal-slot stale' : 'terminal-slot'} hidden={id !== activeId}>
              {showsHistory(ui.state, s) ? (
                <>
                  <HistoryBar session={s} />
                  <HistoryView api={ui.api} session={s} place={ui.state.places[id]} scheme={props.scheme} compact={ui.compact} register={props.register} />
                </>
              ) : (
                <>
                  {/* A restored session is a new tmux session: a new terminal attaches to it. */}
                  <TerminalView key={`${s.host?.id ?? 'local'}:${s.restoredAt ?? 'live'}`} sessionId={id} hostId={s.host?.id} visible={id === activeId} scheme={props.scheme} compact={ui.compact} register={props.register} onState={onState} onCtrlUsed={onCtrlUsed} />
                  <TerminalOverlay session={s} state={conn[id]} />
                </>
              )}
            </div>
          );
        })}
        {!activeId && <EmptyState />}
      </div>
      {ui.compact && activeId && !history && (
        <KeyBar
          ctrl={ctrl}
          onKey={(k) => active()?.key(k)}
          onCtrl={() => {
            const next = !ctrl;
            setCtrl(next);
            active()?.setCtrl(next);
          }}
          onPaste={() => void paste()}
        />
      )}
    </main>
  );
}
