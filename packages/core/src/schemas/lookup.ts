// Finding a session or folder by what a person typed (a name, an id, a prefix of an id):
// the one rule the CLI, MCP (stdio and HTTP) and the web share. Pure and browser-safe.
import { AppError } from '../errors/index.js';
import type { Folder, Session } from './api.js';

/** 4 to 35 characters of a UUID: what a person copies from a table. */
const SHORT_ID = /^[0-9a-f-]{4,35}$/i;

const isOpen = (s: Pick<Session, 'status'>) => s.status === 'active' || s.status === 'suspended';

type SessionLike = Pick<Session, 'id' | 'name' | 'status' | 'createdAt'>;

/**
 * The session `ref` names among `items`: the one with that exact name (an open one before
 * an ended one, then the newest), else the one whose id starts with `ref`. Errors:
 * `not_found`, or `conflict` when an id prefix fits several.
 */
export function findSession<S extends SessionLike>(items: S[], ref: string): S {
  const named = items
    .filter((s) => s.name === ref)
    .sort((a, b) => Number(isOpen(b)) - Number(isOpen(a)) || b.createdAt.localeCompare(a.createdAt));
  if (named[0]) return named[0];
  if (SHORT_ID.test(ref)) {
    const prefixed = items.filter((s) => s.id.startsWith(ref.toLowerCase()));
    if (prefixed.length === 1) return prefixed[0]!;
    if (prefixed.length > 1) {
      throw new AppError('conflict', `${ref} matches several sessions (${prefixed.map((s) => s.name).join(', ')}); give more of the id`);
    }
  }
  throw new AppError('not_found', `session ${ref} not found`);
}

/**
 * The folder `ref` names among `items`: by id, by name (a name several folders share is a
 * `conflict`), else by a unique id prefix; `not_found` otherwise.
 */
export function findFolder<F extends Pick<Folder, 'id' | 'name'>>(items: F[], ref: string): F {
  const exact = items.find((f) => f.id === ref);
  if (exact) return exact;
  const named = items.filter((f) => f.name === ref);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) throw new AppError('conflict', `several folders are named ${ref} (${named.map((f) => f.id).join(', ')}); use the folder's id`);
  if (SHORT_ID.test(ref)) {
    const prefixed = items.filter((f) => f.id.startsWith(ref.toLowerCase()));
    if (prefixed.length === 1) return prefixed[0]!;
  }
  throw new AppError('not_found', `folder ${ref} not found`);
}
