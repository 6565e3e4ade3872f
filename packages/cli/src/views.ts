import type { Folder, Session } from '@rdv/core/schemas';
import type { Output } from './output.js';
import { relativeTime, shortId, tildify, truncate } from './output.js';

/** An api object printed field by field, whatever its fields. */
export type Loose = Record<string, unknown>;

const folderName = (folders: Folder[], id: string | null) => (id ? (folders.find((f) => f.id === id)?.name ?? shortId(id)) : '-');
const kindOf = (s: Session) => (s.kind === 'agent' ? (s.agent ?? 'agent') : 'shell');

/** The session table: NAME, ID, STATUS, KIND, FOLDER, CWD, ACTIVE. */
export function printSessions(out: Output, sessions: Session[], folders: Folder[], empty: string): void {
  // Across hosts, each row says where the session runs (and that it may be out of date).
  const hosts = sessions.some((s) => s.host);
  const hostOf = (s: Session) => (s.host ? `${s.host.name}${s.host.state === 'connected' ? '' : ` (${s.host.state})`}` : 'local');
  out.table(
    ['NAME', 'ID', ...(hosts ? ['HOST'] : []), 'STATUS', 'KIND', 'FOLDER', 'CWD', 'ACTIVE'],
    sessions.map((s) => [
      s.name,
      shortId(s.id),
      ...(hosts ? [hostOf(s)] : []),
      s.lostAt ? 'lost' : s.status,
      kindOf(s),
      s.host ? '' : folderName(folders, s.folderId),
      truncate(tildify(s.cwd), 40),
      relativeTime(s.lastActivityAt ?? s.createdAt),
    ]),
    empty,
  );
}

/** One session as aligned key/value lines. */
export function printSession(out: Output, s: Session, folders: Folder[]): void {
  const rows: [string, string][] = [
    ['name', s.name],
    ['id', s.id],
    ['status', s.status],
    ['kind', kindOf(s)],
  ];
  if (s.command) rows.push(['command', s.command]);
  rows.push(['cwd', s.cwd], ['folder', folderName(folders, s.folderId)]);
  if (s.worktreeId) rows.push(['worktree', s.worktreeId]);
  rows.push(['tmux', s.tmuxName], ['created', `${s.createdAt} (${relativeTime(s.createdAt)})`], ['last activity', relativeTime(s.lastActivityAt)]);
  if (s.closedAt) rows.push(['closed', `${s.closedAt} (${relativeTime(s.closedAt)})`]);
  if (s.exitCode !== null) rows.push(['exit code', String(s.exitCode)]);
  if (s.lostAt) rows.push(['lost', `${s.lostAt} (${relativeTime(s.lostAt)}); \`rdv session restore\` brings it back`]);
  if (s.restoredAt) rows.push(['restored', `${s.restoredAt} (${relativeTime(s.restoredAt)})`]);
  if (s.agentSessionId) rows.push(['agent session', s.agentSessionId]);
  out.pairs(rows);
}

/** Folders as an indented tree with open session counts. */
export function printFolderTree(out: Output, folders: Folder[], sessions: Session[]): void {
  const byParent = new Map<string | null, Folder[]>();
  for (const f of folders) byParent.set(f.parentId, [...(byParent.get(f.parentId) ?? []), f]);
  const rows: string[][] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const f of (byParent.get(parent) ?? []).sort((a, b) => a.position - b.position)) {
      const count = sessions.filter((s) => s.folderId === f.id).length;
      rows.push([`${'  '.repeat(depth)}${f.name}`, shortId(f.id), String(count), f.defaultCwd ? tildify(f.defaultCwd) : '-', f.defaultAgent ?? '-']);
      walk(f.id, depth + 1);
    }
  };
  walk(null, 0);
  out.table(['FOLDER', 'ID', 'SESSIONS', 'DEFAULT CWD', 'AGENT'], rows, 'no folders yet; create one with `rdv folder create <name>`');
}

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'string') return /^\d{4}-\d\d-\d\dT/.test(v) ? relativeTime(v) : v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.length ? truncate(v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', '), 40) : '-';
  return truncate(JSON.stringify(v), 40);
};

/** A table of loosely known objects (worktrees, orchestrators, insights): the given keys that any item has. */
export function printLoose(out: Output, items: Loose[], keys: string[], empty: string): void {
  const present = keys.filter((k) => items.some((i) => i[k] !== undefined));
  out.table(
    present.map((k) => k.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase()),
    items.map((i) => present.map((k) => (k === 'id' || k.endsWith('Id') ? (typeof i[k] === 'string' ? shortId(i[k]) : cell(i[k])) : cell(i[k])))),
    empty,
  );
}

/** One loosely known object as key/value lines. */
export function printLooseObject(out: Output, obj: Loose): void {
  const entries = Object.entries(obj).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
  if (entries.length) out.pairs(entries);
}
