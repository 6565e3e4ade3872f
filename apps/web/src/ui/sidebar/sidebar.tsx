'use client';
import { useUi } from '../app-context';
import { AttentionList } from './attention';
import { Bell } from '../notifications/bell';
import { HostsSection } from './hosts';
import { CloseIcon, FolderPlusIcon, KeyboardIcon, KeyIcon, MoonIcon, PlusIcon, SearchIcon, SignOutIcon, SunIcon, SystemIcon } from '../icons';
import { Tree } from './tree';
import type { ThemeChoice } from '../theme';

export interface Whoami {
  mode: 'local' | 'cloudflare';
  email: string | null;
  /** True when allowed_emails admits people besides the owner. */
  admitsOthers?: boolean;
}

/** Said wherever several users may be admitted: they are not isolated from each other. */
export const TRUST_NOTE =
  'Everyone admitted to this rdv is trusted equally: all sessions run as one OS account, so each person can read the files and reach the sessions of the others.';

const THEME_NEXT: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };
const THEME_LABEL: Record<ThemeChoice, string> = { system: 'Theme: follows the system', light: 'Theme: light', dark: 'Theme: dark' };

/** Left column: new session/folder, the attention list, the tree, and who is signed in. */
export function Sidebar(props: { whoami: Whoami | null; theme: ThemeChoice; onTheme: (t: ThemeChoice) => void; onClose?: () => void }) {
  const ui = useUi();
  const { state } = ui;
  const empty = state.ready && state.sessions.length === 0 && state.folders.length === 0;
  const ThemeIcon = props.theme === 'light' ? SunIcon : props.theme === 'dark' ? MoonIcon : SystemIcon;
  return (
    <nav className="sidebar" aria-label="Sessions and folders">
      <header className="sidebar-head">
        <div className="brand">
          <span className="brand-mark" aria-hidden />
          rdv
          <span className={`live ${state.live}`} title={state.live === 'live' ? 'Live updates on' : 'Reconnecting to live updates…'}>
            {state.live === 'reconnecting' ? 'reconnecting…' : ''}
          </span>
        </div>
        <div className="head-actions">
          <button type="button" className="icon-button" title="Search all sessions (Ctrl K)" aria-label="Search all sessions" onClick={() => ui.show({ kind: 'searchAll' })}>
            <SearchIcon />
          </button>
          <Bell />
          <button type="button" className="icon-button" title="New folder (Alt Shift M)" aria-label="New folder" onClick={() => ui.show({ kind: 'prompt', title: 'New folder', label: 'Name', initial: '', submit: 'Create', onSubmit: async (name) => void (await ui.actions.createFolder(name, null)) })}>
            <FolderPlusIcon />
          </button>
          {props.onClose && (
            <button type="button" className="icon-button" aria-label="Close the sidebar" onClick={props.onClose}>
              <CloseIcon />
            </button>
          )}
        </div>
      </header>
      <button type="button" className="button primary new-session" onClick={() => ui.show({ kind: 'newSession', folderId: null })}>
        <PlusIcon /> New session
      </button>
      <AttentionList />
      <h3 className="section-title">Sessions</h3>
      <div className="tree-scroll">
        {!state.ready && !state.loadError && <div className="skeleton" aria-label="Loading" />}
        {state.loadError && <p className="quiet error-text">Could not load sessions: {state.loadError}</p>}
        {empty && <p className="quiet">No sessions yet. Start one and it keeps running here, even when this tab is closed.</p>}
        <Tree />
      </div>
      <HostsSection />
      <footer className="sidebar-foot">
        <span className="who" title={`${props.whoami?.email ?? 'Signed in with a login link'}${props.whoami?.admitsOthers ? `\n${TRUST_NOTE}` : ''}`}>
          {props.whoami?.email ?? (props.whoami ? 'Local sign-in' : '')}
        </span>
        {props.whoami?.admitsOthers && (
          <span className="trust-note" role="note" title={TRUST_NOTE} aria-label={TRUST_NOTE}>
            shared
          </span>
        )}
        <button type="button" className="icon-button" title="Git identities" aria-label="Git identities" onClick={() => ui.show({ kind: 'identities' })}>
          <KeyIcon />
        </button>
        <button type="button" className="icon-button" title={THEME_LABEL[props.theme]} aria-label={THEME_LABEL[props.theme]} onClick={() => props.onTheme(THEME_NEXT[props.theme])}>
          <ThemeIcon />
        </button>
        {!ui.compact && (
          <button type="button" className="icon-button" title="Keyboard shortcuts (Alt Shift ?)" aria-label="Keyboard shortcuts" onClick={() => ui.show({ kind: 'shortcuts' })}>
            <KeyboardIcon />
          </button>
        )}
        {props.whoami?.mode === 'local' ? (
          <form method="post" action="/auth/logout">
            <button type="submit" className="icon-button" title="Sign out" aria-label="Sign out">
              <SignOutIcon />
            </button>
          </form>
        ) : props.whoami?.mode === 'cloudflare' ? (
          <a className="icon-button" href="/cdn-cgi/access/logout" title="Sign out" aria-label="Sign out">
            <SignOutIcon />
          </a>
        ) : null}
      </footer>
    </nav>
  );
}
