import type { Folder, Host, Session } from '@rdv/core/schemas';

/** An orchestrator insight, as much of it as the UI needs (the API is newer than this UI may be). */
export interface Insight {
  id: string;
  orchestratorId: string | null;
  sessionId: string | null;
  type: string;
  severity: string;
  message: string;
  createdAt: string | null;
  /** Replies the orchestrator suggests (typed into the session with inject). */
  actions: Array<{ id: string; label: string; text?: string; keys?: string[] }>;
}

export type LiveState = 'connecting' | 'live' | 'reconnecting';

/** A place in a session's output log to show (a search hit): its byte offset and the words found there. */
export interface Place {
  offset: number | null;
  q: string | null;
  /** Changes with every request, so asking for the same place again scrolls there again. */
  seq: number;
}

export interface State {
  ready: boolean;
  loadError: string | null;
  sessions: Session[];
  folders: Folder[];
  /** Other machines running rdv, with the state of their links. */
  hosts: Host[];
  insights: Insight[];
  /** Open tabs, in order; `activeId` is the one shown. */
  tabs: string[];
  activeId: string | null;
  live: LiveState;
  features: { worktrees: boolean; orchestrators: boolean };
  /** Master Control: its id and whether it watches (null until known, or when there is none). */
  monitoring: { orchestratorId: string | null; on: boolean } | null;
  /** Unread entries of the notification centre; `notificationsVersion` moves when the list changed. */
  unread: number;
  notificationsVersion: number;
  /** Moves when a knowledge proposal was made or decided (the knowledge panel reloads its list). */
  proposalsVersion: number;
  signedOut: boolean;
  /** Sessions the person closed or dismissed here: late events must not bring them back. */
  gone: string[];
  /** Sessions whose tab shows their output log (read-only) rather than the live terminal, at a place. */
  places: Record<string, Place>;
}

export type Action =
  | { type: 'loaded'; sessions: Session[]; folders: Folder[] }
  | { type: 'loadFailed'; message: string }
  | { type: 'hosts'; items: Host[] }
  | { type: 'session'; session: Session }
  | { type: 'exited'; id: string; code: number | null }
  | { type: 'dismiss'; id: string }
  | { type: 'folder'; folder: Folder }
  | { type: 'insights'; items: Insight[] }
  | { type: 'insight'; insight: Insight; resolved: boolean }
  | { type: 'open'; id: string }
  | { type: 'openAt'; id: string; offset: number | null; q: string | null }
  | { type: 'backToLive'; id: string }
  | { type: 'closeTab'; id: string }
  | { type: 'restoreTabs'; tabs: string[]; activeId: string | null }
  | { type: 'live'; value: LiveState }
  | { type: 'features'; worktrees?: boolean; orchestrators?: boolean }
  | { type: 'monitoring'; value: State['monitoring'] }
  | { type: 'unread'; count: number }
  | { type: 'proposals' }
  | { type: 'signedOut' };

export const initialState: State = {
  ready: false,
  loadError: null,
  sessions: [],
  folders: [],
  hosts: [],
  insights: [],
  tabs: [],
  activeId: null,
  live: 'connecting',
  features: { worktrees: false, orchestrators: false },
  monitoring: null,
  unread: 0,
  notificationsVersion: 0,
  proposalsVersion: 0,
  signedOut: false,
  gone: [],
  places: {},
};

export const isOpen = (s: Pick<Session, 'status'>) => s.status === 'active' || s.status === 'suspended';

/** Whether a tab shows the session's output log, read-only: it has ended, or a place in its log was asked for. */
export const showsHistory = (state: Pick<State, 'places'>, s: Session) => !isOpen(s) || state.places[s.id] !== undefined;

function withoutPlace(places: Record<string, Place>, id: string): Record<string, Place> {
  if (!(id in places)) return places;
  const next = { ...places };
  delete next[id];
  return next;
}

function upsert<T extends { id: string }>(list: T[], item: T): T[] {
  const i = list.findIndex((x) => x.id === item.id);
  if (i < 0) return [...list, item];
  const next = list.slice();
  next[i] = item;
  return next;
}

function closeTab(state: State, id: string): State {
  const i = state.tabs.indexOf(id);
  if (i < 0) return state;
  const tabs = state.tabs.filter((t) => t !== id);
  const activeId = state.activeId === id ? (tabs[Math.min(i, tabs.length - 1)] ?? null) : state.activeId;
  return { ...state, tabs, activeId, places: withoutPlace(state.places, id) };
}

/** All UI state changes; events from the server and the person's actions both land here. */
export function reducer(state: State, action: Action): State {
  switch (action.type) {
    case 'hosts':
      return { ...state, hosts: action.items };
    case 'loaded': {
      // Sessions that ended while we watched stay (as exited) until dismissed.
      const known = new Set(action.sessions.map((s) => s.id));
      const ended = state.sessions.filter((s) => !known.has(s.id) && !isOpen(s));
      const sessions = [...action.sessions.filter((s) => !state.gone.includes(s.id)), ...ended];
      const ids = new Set(sessions.map((s) => s.id));
      const tabs = state.tabs.filter((t) => ids.has(t));
      const activeId = state.activeId && ids.has(state.activeId) ? state.activeId : (tabs[0] ?? null);
      return { ...state, ready: true, loadError: null, sessions, folders: action.folders, tabs, activeId };
    }
    case 'loadFailed':
      return { ...state, loadError: action.message };
    case 'session':
      if (state.gone.includes(action.session.id)) return state;
      return { ...state, sessions: upsert(state.sessions, action.session) };
    case 'exited': {
      const s = state.sessions.find((x) => x.id === action.id);
      if (!s || !isOpen(s)) return state;
      return { ...state, sessions: upsert(state.sessions, { ...s, status: 'closed', exitCode: action.code }) };
    }
    case 'dismiss': {
      const gone = [...state.gone.slice(-200), action.id];
      return closeTab({ ...state, gone, sessions: state.sessions.filter((s) => s.id !== action.id) }, action.id);
    }
    case 'folder':
      return { ...state, folders: upsert(state.folders, action.folder) };
    case 'insights':
      return { ...state, insights: action.items };
    case 'insight': {
      const rest = state.insights.filter((i) => i.id !== action.insight.id);
      return { ...state, insights: action.resolved ? rest : [...rest, action.insight] };
    }
    case 'open': {
      const tabs = state.tabs.includes(action.id) ? state.tabs : [...state.tabs, action.id];
      return { ...state, tabs, activeId: action.id };
    }
    case 'openAt': {
      const tabs = state.tabs.includes(action.id) ? state.tabs : [...state.tabs, action.id];
      const seq = (state.places[action.id]?.seq ?? 0) + 1;
      // Asked for again by the person: a session dismissed here may come back.
      const gone = state.gone.filter((g) => g !== action.id);
      return { ...state, tabs, gone, activeId: action.id, places: { ...state.places, [action.id]: { offset: action.offset, q: action.q, seq } } };
    }
    case 'backToLive':
      return { ...state, places: withoutPlace(state.places, action.id) };
    case 'closeTab':
      return closeTab(state, action.id);
    case 'restoreTabs':
      return { ...state, tabs: action.tabs, activeId: action.activeId };
    case 'live':
      return state.live === action.value ? state : { ...state, live: action.value };
    case 'features':
      return { ...state, features: { ...state.features, ...stripUndefined(action) } };
    case 'monitoring':
      return { ...state, monitoring: action.value };
    case 'unread':
      return { ...state, unread: action.count, notificationsVersion: state.notificationsVersion + 1 };
    case 'proposals':
      return { ...state, proposalsVersion: state.proposalsVersion + 1 };
    case 'signedOut':
      return { ...state, signedOut: true };
  }
}

function stripUndefined(a: { worktrees?: boolean; orchestrators?: boolean }) {
  const out: Partial<State['features']> = {};
  if (a.worktrees !== undefined) out.worktrees = a.worktrees;
  if (a.orchestrators !== undefined) out.orchestrators = a.orchestrators;
  return out;
}

/** What the sidebar shows for a session. */
export type DisplayStatus = 'running' | 'waiting' | 'stalled' | 'suspended' | 'exited';

/** What an insight means for the status dot: a prompt or an agent back at the shell waits for you; a stall or error is worse. */
export function insightKind(type: string): 'waiting' | 'stalled' {
  return /stall|error|stuck/i.test(type) ? 'stalled' : 'waiting';
}

/** Status from the session and its open insights: exited and suspended win, then what an orchestrator noticed. */
export function displayStatus(session: Session, insights: Insight[]): DisplayStatus {
  if (session.status === 'closed' || session.status === 'trashed') return 'exited';
  if (session.status === 'suspended') return 'suspended';
  const kinds = insights.filter((i) => i.sessionId === session.id).map((i) => insightKind(i.type));
  if (kinds.includes('waiting')) return 'waiting';
  if (kinds.includes('stalled')) return 'stalled';
  return 'running';
}

export const STATUS_LABEL: Record<DisplayStatus, string> = {
  running: 'Running',
  waiting: 'Waiting for input',
  stalled: 'Stalled',
  suspended: 'Suspended',
  exited: 'Exited',
};

/** Sessions of one folder (null: top level) in their order. */
export function sessionsIn(sessions: Session[], folders: Folder[], folderId: string | null): Session[] {
  const known = new Set(folders.map((f) => f.id));
  return sessions
    .filter((s) => (s.folderId && known.has(s.folderId) ? s.folderId : null) === folderId)
    .sort((a, b) => a.position - b.position || a.createdAt.localeCompare(b.createdAt));
}

/** Child folders of a parent (null: top level) in their order. */
export function foldersIn(folders: Folder[], parentId: string | null): Folder[] {
  return folders.filter((f) => f.parentId === parentId).sort((a, b) => a.position - b.position || a.name.localeCompare(b.name));
}
