import type { Folder, Session } from '@rdv/core/schemas';
import { foldersIn, sessionsIn } from '../state/model';

/** Above this many sessions and folders the tree renders only the rows in view. */
export const VIRTUAL_ABOVE = 150;

/** One row of the tree, flattened: what it shows and how deep it sits. */
export type TreeLine =
  | { kind: 'folder'; key: string; folder: Folder; depth: number; open: boolean; count: number }
  | { kind: 'session'; key: string; session: Session; depth: number }
  | { kind: 'empty'; key: string; depth: number };

/** The tree in display order (folders first, then sessions, at every level), skipping collapsed folders' insides. */
export function treeLines(sessions: Session[], folders: Folder[], collapsed: Set<string>): TreeLine[] {
  const byFolder = new Map<string | null, Session[]>();
  const known = new Set(folders.map((f) => f.id));
  for (const s of sessions) {
    const at = s.folderId && known.has(s.folderId) ? s.folderId : null;
    if (!byFolder.has(at)) byFolder.set(at, []);
    byFolder.get(at)!.push(s);
  }
  const sorted = (at: string | null) => (byFolder.has(at) ? sessionsIn(byFolder.get(at)!, folders, at) : []);
  const lines: TreeLine[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const folder of foldersIn(folders, parent)) {
      const mine = sorted(folder.id);
      const open = !collapsed.has(folder.id);
      lines.push({ kind: 'folder', key: `f:${folder.id}`, folder, depth, open, count: mine.length });
      if (!open) continue;
      const before = lines.length;
      walk(folder.id, depth + 1);
      for (const session of mine) lines.push({ kind: 'session', key: `s:${session.id}`, session, depth: depth + 1 });
      if (lines.length === before) lines.push({ kind: 'empty', key: `e:${folder.id}`, depth });
    }
    if (parent === null) for (const session of sorted(null)) lines.push({ kind: 'session', key: `s:${session.id}`, session, depth: 0 });
  };
  walk(null, 0);
  return lines;
}

