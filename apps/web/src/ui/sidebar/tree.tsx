'use client';
import type { Folder, Session } from '@rdv/core/schemas';
import { useEffect, useState, type DragEvent, type MouseEvent } from 'react';
import { useUi } from '../app-context';
import { ChevronIcon, DotsIcon, FolderIcon } from '../icons';
import { STATUS_LABEL, displayStatus, foldersIn, isOpen, sessionsIn } from '../state/model';
import { folderMenu, sessionMenu } from './session-menu';
import { VIRTUAL_ABOVE, treeLines } from './tree-lines';
import { VirtualRows } from './virtual-tree';

const DRAG_TYPE = 'application/x-rdv-item';
type Dragged = { what: 'session' | 'folder'; id: string };

const readDrag = (e: DragEvent): Dragged | null => {
  try {
    const v = JSON.parse(e.dataTransfer.getData(DRAG_TYPE)) as Dragged;
    return v && (v.what === 'session' || v.what === 'folder') && typeof v.id === 'string' ? v : null;
  } catch {
    return null;
  }
};
const carries = (e: DragEvent) => e.dataTransfer.types.includes(DRAG_TYPE);

/**
 * A tree row that can be dragged (as `item`) and dropped on: the drag and drop handlers
 * to spread on the row, and whether something is hovering over it.
 */
function useDragItem(item: Dragged, onDropped: (d: Dragged) => void) {
  const [dropping, setDropping] = useState(false);
  const props = {
    draggable: true,
    onDragStart: (e: DragEvent) => {
      e.dataTransfer.setData(DRAG_TYPE, JSON.stringify(item));
      e.dataTransfer.effectAllowed = 'move' as const;
    },
    onDragOver: (e: DragEvent) => {
      if (!carries(e)) return;
      e.preventDefault();
      e.stopPropagation();
      setDropping(true);
    },
    onDragLeave: () => setDropping(false),
    onDrop: (e: DragEvent) => {
      e.preventDefault();
      e.stopPropagation();
      setDropping(false);
      const d = readDrag(e);
      if (d) onDropped(d);
    },
  };
  return { dropping, props };
}

/** Collapsed folders, remembered per browser. */
function useCollapsed(): [Set<string>, (id: string) => void] {
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  useEffect(() => {
    try {
      setCollapsed(new Set(JSON.parse(localStorage.getItem('rdv.collapsed') ?? '[]') as string[]));
    } catch {
      // A damaged value: start with everything expanded.
    }
  }, []);
  const toggle = (id: string) =>
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (!next.delete(id)) next.add(id);
      localStorage.setItem('rdv.collapsed', JSON.stringify([...next]));
      return next;
    });
  return [collapsed, toggle];
}

const menuAt = (e: MouseEvent) => {
  const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
  return e.type === 'contextmenu' ? { x: e.clientX, y: e.clientY } : { x: r.right - 4, y: r.bottom + 2 };
};

function shortPath(p: string): string {
  const m = /^\/(home\/[^/]+|root|Users\/[^/]+)(\/.*)?$/.exec(p);
  return m ? `~${m[2] ?? ''}` : p;
}

/** "restored" on a session rdv brought back after a reboot or a lost tmux server; "lost" on one waiting to be. */
function ContinuityBadge({ session }: { session: Session }) {
  if (session.lostAt && !isOpen(session)) {
    return <span className="badge lost" title="Its tmux session vanished (a reboot or a tmux crash); restore it from its output log or with `rdv session restore`">lost</span>;
  }
  if (!session.restoredAt || !isOpen(session)) return null;
  const at = new Date(session.restoredAt).toLocaleString();
  return <span className="badge restored" title={`Restored ${at}, after a reboot or a lost tmux server`}>restored</span>;
}

/** The machine a session of another host runs on; greyed out (with the row) while that host is unreachable. */
function HostBadge({ session }: { session: Session }) {
  if (!session.host) return null;
  const down = session.host.state !== 'connected';
  const title = down ? `On ${session.host.name}, which is ${session.host.state}: shown as last seen` : `On ${session.host.name}`;
  return <span className={`badge host${down ? ' down' : ''}`} title={title}>{session.host.name}</span>;
}

export function SessionRow({ session, depth, level }: { session: Session; depth: number; level?: number }) {
  const ui = useUi();
  const { dropping, props: dragProps } = useDragItem({ what: 'session', id: session.id }, (d) => {
    if (d.what === 'session' && d.id !== session.id) void ui.actions.placeSession(d.id, session.folderId ?? null, session.id);
  });
  const status = displayStatus(session, ui.state.insights);
  const active = ui.state.activeId === session.id;
  const what = `${session.kind === 'agent' ? (session.agent ?? 'agent') : 'shell'} · ${shortPath(session.cwd)}`;
  const detail = status === 'running' ? what : STATUS_LABEL[status] + (status === 'exited' && session.exitCode !== null ? ` (${session.exitCode})` : '');
  const open = (e: MouseEvent) => {
    e.preventDefault();
    ui.openMenu({ ...menuAt(e), items: sessionMenu(ui, session), label: `${session.name} actions` });
  };
  return (
    <div
      className={`row session${active ? ' active' : ''}${dropping ? ' drop-before' : ''} status-${status}${session.host && session.host.state !== 'connected' ? ' unreachable' : ''}`}
      style={{ paddingLeft: 10 + depth * 14 }}
      {...dragProps}
      onClick={() => ui.select(session.id)}
      onContextMenu={open}
      role="treeitem"
      aria-selected={active}
      aria-level={level}
      aria-label={`${session.name}${session.host ? ` on ${session.host.name}${session.host.state === 'connected' ? '' : ` (${session.host.state})`}` : ''}, ${STATUS_LABEL[status]}`}
      tabIndex={0}
      onKeyDown={(e) => e.key === 'Enter' && ui.select(session.id)}
    >
      <span className={`dot ${status}`} title={STATUS_LABEL[status]} />
      <span className="row-text">
        <span className="row-name">
          {session.name}
          <ContinuityBadge session={session} />
          <HostBadge session={session} />
        </span>
        <span className="row-detail">{detail}</span>
      </span>
      <button type="button" className="icon-button row-more" aria-label={`${session.name} actions`} onClick={(e) => { e.stopPropagation(); open(e); }}>
        <DotsIcon />
      </button>
    </div>
  );
}

/** A folder's own row: click toggles it, drop a session or a folder on it to move that inside. */
export function FolderRow({ folder, depth, open, count, toggle, level }: { folder: Folder; depth: number; open: boolean; count: number; toggle: (id: string) => void; level?: number }) {
  const ui = useUi();
  const { dropping, props: dragProps } = useDragItem({ what: 'folder', id: folder.id }, (d) => {
    if (d.what === 'session') void ui.actions.moveSession(d.id, folder.id);
    if (d.what === 'folder' && d.id !== folder.id) void ui.actions.moveFolder(d.id, folder.id);
  });
  const menu = (e: MouseEvent) => {
    e.preventDefault();
    ui.openMenu({ ...menuAt(e), items: folderMenu(ui, folder), label: `${folder.name} actions` });
  };
  return (
    <div
      className={`row folder${dropping ? ' drop-into' : ''}`}
      style={{ paddingLeft: 6 + depth * 14 }}
      {...dragProps}
      onClick={() => toggle(folder.id)}
      onContextMenu={menu}
      role="treeitem"
      aria-expanded={open}
      aria-level={level}
      tabIndex={0}
      onKeyDown={(e) => e.key === 'Enter' && toggle(folder.id)}
    >
      <ChevronIcon className={open ? 'chevron open' : 'chevron'} />
      <FolderIcon className="folder-icon" />
      <span className="row-name">{folder.name}</span>
      <span className="count">{count || ''}</span>
      <button type="button" className="icon-button row-more" aria-label={`${folder.name} actions`} onClick={(e) => { e.stopPropagation(); menu(e); }}>
        <DotsIcon />
      </button>
    </div>
  );
}

/** Shown inside an open folder with nothing in it. */
export const EmptyFolderRow = ({ depth }: { depth: number }) => (
  <div className="row-empty" style={{ paddingLeft: 30 + depth * 14 }}>
    Empty — drag a session here
  </div>
);

function FolderNode({ folder, depth, collapsed, toggle }: { folder: Folder; depth: number; collapsed: Set<string>; toggle: (id: string) => void }) {
  const { sessions, folders } = useUi().state;
  const children = foldersIn(folders, folder.id);
  const mine = sessionsIn(sessions, folders, folder.id);
  const isOpen = !collapsed.has(folder.id);
  return (
    <div role="group">
      <FolderRow folder={folder} depth={depth} open={isOpen} count={mine.length} toggle={toggle} />
      {isOpen && (
        <div>
          {children.map((f) => (
            <FolderNode key={f.id} folder={f} depth={depth + 1} collapsed={collapsed} toggle={toggle} />
          ))}
          {mine.map((s) => (
            <SessionRow key={s.id} session={s} depth={depth + 1} />
          ))}
          {children.length === 0 && mine.length === 0 && <EmptyFolderRow depth={depth} />}
        </div>
      )}
    </div>
  );
}

/** Folders and sessions; drag a session onto a folder to move it, onto a session to place it before. */
export function Tree() {
  const ui = useUi();
  const [collapsed, toggle] = useCollapsed();
  const [dropping, setDropping] = useState(false);
  const { sessions, folders } = ui.state;
  // Beyond a few screens of rows only the visible ones are rendered (virtual-tree.tsx).
  const lines = sessions.length + folders.length > VIRTUAL_ABOVE ? treeLines(sessions, folders, collapsed) : null;
  return (
    <div
      className={`tree${dropping ? ' drop-root' : ''}`}
      role="tree"
      aria-label="Sessions"
      onDragOver={(e) => {
        if (!carries(e)) return;
        e.preventDefault();
        setDropping(true);
      }}
      onDragLeave={(e) => e.currentTarget === e.target && setDropping(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDropping(false);
        const d = readDrag(e);
        if (d?.what === 'session') void ui.actions.placeSession(d.id, null, null);
        if (d?.what === 'folder') void ui.actions.moveFolder(d.id, null);
      }}
    >
      {lines ? (
        <VirtualRows
          lines={lines}
          render={(line) =>
            line.kind === 'folder' ? (
              <FolderRow folder={line.folder} depth={line.depth} open={line.open} count={line.count} toggle={toggle} level={line.depth + 1} />
            ) : line.kind === 'session' ? (
              <SessionRow session={line.session} depth={line.depth} level={line.depth + 1} />
            ) : (
              <EmptyFolderRow depth={line.depth} />
            )
          }
        />
      ) : (
        <>
          {foldersIn(folders, null).map((f) => (
            <FolderNode key={f.id} folder={f} depth={0} collapsed={collapsed} toggle={toggle} />
          ))}
          {sessionsIn(sessions, folders, null).map((s) => (
            <SessionRow key={s.id} session={s} depth={0} />
          ))}
        </>
      )}
    </div>
  );
}
