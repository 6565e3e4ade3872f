// Finding what a person named on the command line: a session, a folder or an
// orchestrator. The matching itself is @rdv/client's (the same for the CLI, MCP and web);
// here a miss becomes a message that says where to look.
import { findFolder, findSession, masterOrchestrator, resolveSession, type RdvClient } from '@rdv/client';
import { isAppError } from '@rdv/core/errors';
import { IdSchema, type Folder, type Session } from '@rdv/core/schemas';
import { CliError } from './errors.js';

/** A session by name (open first, newest first), id or id prefix; on another host with `host`. */
export async function lookupSession(api: RdvClient, ref: string, host?: string): Promise<Session> {
  try {
    if (!host || host === 'local') return await resolveSession(api, ref);
    if (IdSchema.safeParse(ref).success) return await api.GET('/api/sessions/{id}', { params: { path: { id: ref }, query: { host } } });
    return findSession((await api.GET('/api/sessions', { params: { query: { status: 'all', host } } })).items, ref);
  } catch (err) {
    if (isAppError(err) && err.code === 'not_found') throw new CliError(`session ${ref} not found; see \`rdv session list --all${host ? ` --host ${host}` : ''}\``, 1, { cause: err });
    if (isAppError(err) && err.code === 'conflict') throw new CliError(err.message, 1, { cause: err });
    throw err;
  }
}

/** A folder by id, unique name or unique id prefix. */
export async function lookupFolder(api: RdvClient, ref: string): Promise<Folder> {
  const { items } = await api.GET('/api/folders');
  try {
    return findFolder(items, ref);
  } catch (err) {
    if (isAppError(err) && err.code === 'conflict') throw new CliError(`several folders are named ${ref}; use an id from \`rdv folder list\``, 1, { cause: err });
    if (isAppError(err) && err.code === 'not_found') throw new CliError(`folder ${ref} not found; see \`rdv folder list\``, 1, { cause: err });
    throw err;
  }
}

const SHORT_ID = /^[0-9a-f-]{4,35}$/i;

/**
 * An orchestrator by id, id prefix, name or its folder's name or id; "master" or no ref
 * means Master Control, which the api makes on first use.
 */
export async function lookupOrchestrator(api: RdvClient, ref?: string) {
  if (!ref || ref.toLowerCase() === 'master') return masterOrchestrator(api);
  const { items } = await api.GET('/api/orchestrators');
  const exact = items.find((o) => o.id === ref || o.name === ref);
  if (exact) return exact;
  const prefixed = SHORT_ID.test(ref) ? items.filter((o) => o.id.startsWith(ref.toLowerCase())) : [];
  if (prefixed.length === 1) return prefixed[0]!;
  const folder = (await api.GET('/api/folders')).items.find((f) => f.name === ref || f.id === ref);
  const ofFolder = folder ? items.find((o) => o.folderId === folder.id) : undefined;
  if (ofFolder) return ofFolder;
  throw new CliError(`orchestrator ${ref} not found; see \`rdv orchestrator status\``);
}
