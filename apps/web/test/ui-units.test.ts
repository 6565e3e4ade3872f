import { describe, expect, it } from 'vitest';
import { displayStatus, initialState, reducer, sessionsIn, showsHistory } from '../src/ui/state/model.js';
import { forReplay } from '../src/ui/terminal/replay.js';
import { shortcutFor } from '../src/ui/shortcuts.js';
import { chunkInput } from '../src/ui/terminal/terminal-socket.js';
import { keySequence, withCtrl } from '../src/ui/terminal/keys.js';
import { isTerminalReply, type Folder, type Session } from '@rdv/core/schemas';
import { treeLines, type TreeLine } from '../src/ui/sidebar/tree-lines.js';

const session = (over: Partial<Session>): Session => ({
  id: '6f1c2b9a-1d2e-4f3a-8b4c-5d6e7f809a1b',
  name: 's',
  tmuxName: 'rdv-x',
  kind: 'shell',
  agent: null,
  command: null,
  cwd: '/home/me',
  folderId: null,
  worktreeId: null,
  status: 'active',
  position: 0,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  lastActivityAt: null,
  closedAt: null,
  exitCode: null,
  agentSessionId: null,
  lostAt: null,
  restoredAt: null,
  ...over,
});

describe('terminal input helpers', () => {
  it('splits big pastes into frames under the service limit, never inside a surrogate pair', () => {
    const text = `${'a'.repeat(16_383)}😀${'b'.repeat(20_000)}`;
    const chunks = chunkInput(text);
    expect(chunks.join('')).toBe(text);
    for (const c of chunks) expect(Buffer.byteLength(c)).toBeLessThanOrEqual(64 * 1024);
    expect(chunks[0]!.endsWith('\ud83d')).toBe(false);
    expect(chunkInput('ls\r')).toEqual(['ls\r']);
  });

  it('maps key bar keys, following the cursor key mode, and Ctrl', () => {
    expect(keySequence('esc', { appCursor: false, ctrl: false })).toBe('\x1b');
    expect(keySequence('up', { appCursor: false, ctrl: false })).toBe('\x1b[A');
    expect(keySequence('up', { appCursor: true, ctrl: false })).toBe('\x1bOA');
    expect(keySequence('left', { appCursor: false, ctrl: true })).toBe('\x1b[1;5D');
    expect(withCtrl('c')).toBe('\x03');
    expect(withCtrl('[')).toBe('\x1b');
    expect(withCtrl('1')).toBeNull();
  });

  it('recognises terminal query answers but not typing or pastes', () => {
    expect(isTerminalReply('\x1b[>0;276;0c')).toBe(true);
    expect(isTerminalReply('\x1b[?1;2c')).toBe(true);
    expect(isTerminalReply('\x1bP>|xterm.js(6.0.0)\x1b\\')).toBe(true);
    expect(isTerminalReply('\x1b]11;rgb:1111/1414/1717\x1b\\')).toBe(true);
    expect(isTerminalReply('\x1b[A')).toBe(false);
    expect(isTerminalReply('c')).toBe(false);
    expect(isTerminalReply('\x1b[200~echo \x1b[>0c\x1b[201~')).toBe(false);
  });
});

describe('UI state', () => {
  it('derives the sidebar status from the session and open insights', () => {
    const s = session({});
    expect(displayStatus(s, [])).toBe('running');
    expect(displayStatus(s, [{ id: 'i', orchestratorId: null, sessionId: s.id, type: 'waiting_input', severity: 'warning', message: '', createdAt: null, actions: [] }])).toBe('waiting');
    expect(displayStatus(s, [{ id: 'i', orchestratorId: null, sessionId: s.id, type: 'stalled', severity: 'warning', message: '', createdAt: null, actions: [] }])).toBe('stalled');
    expect(displayStatus(session({ status: 'suspended' }), [])).toBe('suspended');
    expect(displayStatus(session({ status: 'closed', exitCode: 0 }), [])).toBe('exited');
  });

  it('keeps tabs consistent: closing picks a neighbour; a closed session does not come back', () => {
    const a = session({ id: '00000000-0000-4000-8000-00000000000a', position: 1 });
    const b = session({ id: '00000000-0000-4000-8000-00000000000b', position: 0 });
    let st = reducer(initialState, { type: 'loaded', sessions: [a, b], folders: [] });
    expect(sessionsIn(st.sessions, st.folders, null).map((s) => s.id)).toEqual([b.id, a.id]);
    st = reducer(st, { type: 'open', id: a.id });
    st = reducer(st, { type: 'open', id: b.id });
    st = reducer(st, { type: 'closeTab', id: b.id });
    expect(st.activeId).toBe(a.id);
    st = reducer(st, { type: 'dismiss', id: a.id });
    expect(st.tabs).toEqual([]);
    st = reducer(st, { type: 'session', session: { ...a, status: 'closed' } });
    expect(st.sessions.map((s) => s.id)).toEqual([b.id]);
  });
});

describe('output logs in the UI', () => {
  const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  const text = (b: Uint8Array) => String.fromCharCode(...b);

  it('replays a log without the switches that would hide earlier output', () => {
    const log = bytes('$ vim x\r\n\x1b[?1049h\x1b[2Jediting\x1b[?1049l\x1b[3J$ done\r\n');
    expect(text(forReplay(log))).toBe('$ vim x\r\n\x1b[2Jediting$ done\r\n');
    const plain = bytes('no escapes \x1b[1mbold\x1b[0m here');
    expect(forReplay(plain)).toBe(plain);
    // A sequence cut off at the end of a page is left alone.
    expect(text(forReplay(bytes('tail \x1b[?104')))).toBe('tail \x1b[?104');
  });

  it('shows an ended session, or a place asked for, as its log; back to live clears the place', () => {
    const live = session({});
    const ended = session({ id: '7f1c2b9a-1d2e-4f3a-8b4c-5d6e7f809a1b', status: 'closed' });
    let state = reducer({ ...initialState, sessions: [live, ended] }, { type: 'open', id: live.id });
    expect(showsHistory(state, live)).toBe(false);
    expect(showsHistory(state, ended)).toBe(true);
    state = reducer(state, { type: 'openAt', id: live.id, offset: 1234, q: 'error' });
    expect(state.places[live.id]).toEqual({ offset: 1234, q: 'error', seq: 1 });
    expect(showsHistory(state, live)).toBe(true);
    expect(reducer(state, { type: 'openAt', id: live.id, offset: 1234, q: 'error' }).places[live.id]!.seq).toBe(2);
    expect(showsHistory(reducer(state, { type: 'backToLive', id: live.id }), live)).toBe(false);
    expect(reducer(state, { type: 'closeTab', id: live.id }).places).toEqual({});
    // A dismissed session opened again from a search comes back.
    const dismissed = reducer(state, { type: 'dismiss', id: ended.id });
    const reopened = reducer(reducer(dismissed, { type: 'openAt', id: ended.id, offset: 0, q: 'x' }), { type: 'session', session: ended });
    expect(reopened.sessions.map((s) => s.id)).toContain(ended.id);
    expect(reopened.activeId).toBe(ended.id);
  });

  it('opens the search across sessions with Ctrl K (or Alt Shift K), leaving other Ctrl keys to the terminal', () => {
    const key = (init: KeyboardEventInit) => ({ type: 'keydown', altKey: false, ctrlKey: false, metaKey: false, shiftKey: false, ...init }) as KeyboardEvent;
    expect(shortcutFor(key({ code: 'KeyK', ctrlKey: true }))).toBe('searchAll');
    expect(shortcutFor(key({ code: 'KeyK', altKey: true, shiftKey: true }))).toBe('searchAll');
    expect(shortcutFor(key({ code: 'KeyK', ctrlKey: true, shiftKey: true }))).toBeNull();
    expect(shortcutFor(key({ code: 'KeyL', ctrlKey: true }))).toBeNull();
  });
});

describe('the flattened tree of a long sidebar', () => {
  const folder = (id: string, over: Partial<Folder> = {}): Folder => ({
    id,
    name: id.slice(0, 4),
    parentId: null,
    position: 0,
    defaultCwd: null,
    defaultAgent: null,
    env: {},
    notifications: {},
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...over,
  });
  const F1 = '11111111-1111-4111-8111-111111111111';
  const F2 = '22222222-2222-4222-8222-222222222222';
  const S = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

  it('lists folders before sessions at each level, with depths, skips collapsed insides and marks empty folders', () => {
    const folders = [folder(F1, { name: 'Work' }), folder(F2, { name: 'Sub', parentId: F1 })];
    const sessions = [
      session({ id: S(1), name: 'top', position: 1 }),
      session({ id: S(2), name: 'in-work', folderId: F1 }),
      session({ id: S(3), name: 'orphan', folderId: '33333333-3333-4333-8333-333333333333', position: 0 }),
    ];
    const show = (lines: TreeLine[]) => lines.map((l) => `${l.depth}:${l.kind === 'folder' ? l.folder.name : l.kind === 'session' ? l.session.name : 'empty'}`);
    expect(show(treeLines(sessions, folders, new Set()))).toEqual(['0:Work', '1:Sub', '1:empty', '1:in-work', '0:orphan', '0:top']);
    expect(show(treeLines(sessions, folders, new Set([F1])))).toEqual(['0:Work', '0:orphan', '0:top']);
  });
});
