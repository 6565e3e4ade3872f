import type { ApiClient } from '@rdv/core/client';
import { isAppError } from '@rdv/core/errors';
import { IdSchema, type Folder, type Session, type Token } from '@rdv/core/schemas';
import { CliError, explainMissingRoute } from './errors.js';

/** An API object whose shape the CLI does not pin down (worktrees, orchestrators, insights). */
export type Loose = Record<string, unknown>;
export type List<T> = { items: T[] };

const enc = encodeURIComponent;
const SHORT_ID = /^[0-9a-f-]{4,35}$/i;

/** `?a=1&b=2` from the defined values only (strict routes refuse unknown query keys). */
export function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined);
  return entries.length ? `?${entries.map(([k, v]) => `${enc(k)}=${enc(String(v))}`).join('&')}` : '';
}

const isOpen = (s: Session) => s.status === 'active' || s.status === 'suspended';

/** Picks a session by exact name (open first, newest first), else by unique id prefix. */
export function matchSession(items: Session[], ref: string): Session {
  const named = items.filter((s) => s.name === ref).sort((a, b) => Number(isOpen(b)) - Number(isOpen(a)) || b.createdAt.localeCompare(a.createdAt));
  if (named[0]) return named[0];
  if (SHORT_ID.test(ref)) {
    const prefixed = items.filter((s) => s.id.startsWith(ref.toLowerCase()));
    if (prefixed.length === 1) return prefixed[0]!;
    if (prefixed.length > 1) throw new CliError(`${ref} matches several sessions (${prefixed.map((s) => s.name).join(', ')}); give more of the id`);
  }
  throw new CliError(`session ${ref} not found; see \`rdv session list --all\``);
}

/** Picks a folder by id, unique id prefix or unique name. */
export function matchFolder(items: Folder[], ref: string): Folder {
  const exact = items.find((f) => f.id === ref);
  if (exact) return exact;
  const named = items.filter((f) => f.name === ref);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) throw new CliError(`several folders are named ${ref}; use an id from \`rdv folder list\``);
  if (SHORT_ID.test(ref)) {
    const prefixed = items.filter((f) => f.id.startsWith(ref.toLowerCase()));
    if (prefixed.length === 1) return prefixed[0]!;
  }
  throw new CliError(`folder ${ref} not found; see \`rdv folder list\``);
}

/** Re-throws "no route" 404s as "this server has no <feature> support yet". */
async function feature<T>(name: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (isAppError(err) && err.code === 'not_found' && /^no route for /.test(err.message)) {
      throw new CliError(explainMissingRoute(err.message, name), 1, { cause: err });
    }
    throw err;
  }
}

/** The api calls the commands make, with id-or-name resolution. Errors are the client's AppErrors. */
export function createCliApi(client: ApiClient) {
  const call = client.call.bind(client);
  const api = {
    call,
    listSessions: (status = 'open', folderId?: string) => call<List<Session>>('GET', `/api/sessions${query({ status, folderId })}`),
    async session(ref: string): Promise<Session> {
      if (IdSchema.safeParse(ref).success) {
        try {
          return await call<Session>('GET', `/api/sessions/${enc(ref)}`);
        } catch (err) {
          if (isAppError(err) && err.code === 'not_found') throw new CliError(`session ${ref} not found; see \`rdv session list --all\``);
          throw err;
        }
      }
      return matchSession((await api.listSessions('all')).items, ref);
    },
    listFolders: () => call<List<Folder>>('GET', '/api/folders'),
    async folder(ref: string): Promise<Folder> {
      return matchFolder((await api.listFolders()).items, ref);
    },
    listTokens: () => call<List<Token>>('GET', '/api/tokens'),

    worktrees: {
      list: (repoPath?: string, status?: string) => feature('worktree', call<List<Loose>>('GET', `/api/worktrees${query({ repoPath, status })}`)),
      create: (body: Loose) => feature('worktree', call<Loose>('POST', '/api/worktrees', body)),
      remove: (body: Loose) => feature('worktree', call<Loose>('DELETE', '/api/worktrees', body)),
      /** Exactly one of id, path or repoPath. */
      status: (ref: { id?: string; path?: string; repoPath?: string }) =>
        feature('worktree', call<List<Loose>>('GET', `/api/worktrees/status${query(ref)}`)),
      cleanup: (body: Loose) => feature('worktree', call<List<Loose>>('POST', '/api/worktrees/cleanup', body)),
    },

    orchestrators: {
      list: () => feature('orchestrator', call<List<Loose>>('GET', '/api/orchestrators')),
      create: (body: Loose) => feature('orchestrator', call<Loose>('POST', '/api/orchestrators', body)),
      update: (id: string, body: Loose) => feature('orchestrator', call<Loose>('PATCH', `/api/orchestrators/${enc(id)}`, body)),
      remove: (id: string) => feature('orchestrator', call<Loose>('DELETE', `/api/orchestrators/${enc(id)}`)),
      /** One orchestrator's insights, or (no id) all of yours; open ones unless `all`. */
      insights: (id: string | undefined, all: boolean) =>
        feature(
          'orchestrator',
          call<List<Loose>>('GET', `${id ? `/api/orchestrators/${enc(id)}/insights` : '/api/insights'}${query({ open: all ? undefined : 'true' })}`),
        ),
      stalled: (id: string) => feature('orchestrator', call<List<Loose>>('GET', `/api/orchestrators/${enc(id)}/stalled-sessions`)),
      inject: (id: string, body: Loose) => feature('orchestrator', call<Loose>('POST', `/api/orchestrators/${enc(id)}/inject`, body)),
      monitoring: (id: string, action: 'start' | 'stop') =>
        feature('orchestrator', call<Loose>('POST', `/api/orchestrators/${enc(id)}/monitoring/${action}`)),
      monitoringStatus: (id: string) => feature('orchestrator', call<Loose>('GET', `/api/orchestrators/${enc(id)}/monitoring/status`)),
      resolveInsight: (id: string) => feature('orchestrator', call<Loose>('POST', `/api/insights/${enc(id)}/resolve`)),
      /**
       * An orchestrator by id, id prefix, name or its folder's name; "master" or no ref means
       * Master Control, which the api makes on first use.
       */
      async pick(ref?: string): Promise<Loose> {
        const { items } = await api.orchestrators.list();
        if (!ref || ref.toLowerCase() === 'master') return items.find(isMaster) ?? api.orchestrators.create({ kind: 'master' });
        const found = pickOrchestrator(items, ref, (await api.listFolders()).items);
        if (found) return found;
        throw new CliError(`orchestrator ${ref} not found; see \`rdv orchestrator status\``);
      },
    },
  };
  return api;
}

export type CliApi = ReturnType<typeof createCliApi>;

/** True for Master Control (all of a user's sessions) rather than a folder orchestrator. */
export const isMaster = (o: Loose) => o.kind === 'master';

function pickOrchestrator(items: Loose[], ref: string, folders: Folder[]): Loose | undefined {
  const exact = items.find((o) => o.id === ref || o.name === ref);
  if (exact) return exact;
  const prefixed = SHORT_ID.test(ref) ? items.filter((o) => String(o.id).startsWith(ref.toLowerCase())) : [];
  if (prefixed.length === 1) return prefixed[0];
  const folder = folders.find((f) => f.name === ref || f.id === ref);
  return folder ? items.find((o) => o.folderId === folder.id) : undefined;
}
