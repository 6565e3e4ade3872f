// Parsing repository URLs before any of them reaches git or ssh. Only three forms pass:
// ssh (`ssh://[user@]host[:port]/path` or scp-like `[user@]host:path`), https, and local
// paths (absolute, or `file:///…`). Nothing may begin with "-" where git or ssh could read
// it as an option, and git's `<transport>::<address>` forms (`ext::`, `fd::`) never pass:
// git runs with protocol.allow=never besides, so they would not run even if they did.
import { CONTROL_CHARS } from './common.js';

/** `decodeURIComponent`, or null for a broken %-escape (which it would throw on). */
function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

export type RepositoryUrl =
  | { kind: 'ssh'; url: string; user: string | null; host: string; port: number | null; path: string }
  | { kind: 'https'; url: string; host: string; port: number | null; path: string }
  | { kind: 'local'; url: string; path: string };

export type ParsedRepositoryUrl = { ok: true; value: RepositoryUrl } | { ok: false; message: string };

const USER = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*|\[[0-9A-Fa-f:.]+\])$/;
// Repository paths on a remote: no whitespace, quotes, backslashes or shell characters.
const REMOTE_PATH = /^[A-Za-z0-9._~/@+%-]+$/;

const fail = (message: string): ParsedRepositoryUrl => ({ ok: false, message });

function remotePath(path: string, absolute: boolean): string | null {
  const p = absolute ? path : path.replace(/^\/+/, '');
  if (!p || p === '/' || !REMOTE_PATH.test(p)) return null;
  if (p.split('/').some((segment) => segment.startsWith('-'))) return null;
  return p;
}

function parsePort(text: string | undefined): number | null | false {
  if (text === undefined || text === '') return null;
  if (!/^\d{1,5}$/.test(text)) return false;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : false;
}

function parseSshUrl(url: string): ParsedRepositoryUrl {
  const m = /^ssh:\/\/(?:([^@/]+)@)?(\[[^\]]+\]|[^:/]+)(?::([^/]*))?(\/.*)$/.exec(url);
  if (!m) return fail('an ssh URL looks like ssh://user@host[:port]/path');
  const [, user, host, portText, path] = m;
  if (user !== undefined && !USER.test(user)) return fail(`"${user}" is not a user name rdv accepts (letters, digits, . _ -; not starting with -)`);
  if (!HOST.test(host!)) return fail(`"${host}" is not a host name`);
  const port = parsePort(portText);
  if (port === false) return fail(`"${portText}" is not a port`);
  const p = remotePath(path!, true);
  if (!p) return fail('the path must be letters, digits and . _ ~ / @ + % -, with no part starting with -');
  return { ok: true, value: { kind: 'ssh', url, user: user ?? null, host: host!, port, path: p } };
}

function parseHttpsUrl(url: string): ParsedRepositoryUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return fail('not a valid https URL');
  }
  if (u.username || u.password) return fail('put no credentials in the URL; rdv reaches https remotes without them');
  if (u.search || u.hash) return fail('an https repository URL has no ?query or #fragment');
  if (!HOST.test(u.hostname)) return fail(`"${u.hostname}" is not a host name`);
  const decoded = safeDecode(u.pathname);
  if (decoded === null) return fail('the path has a broken %-escape');
  const p = remotePath(decoded, true);
  if (!p) return fail('the path must be letters, digits and . _ ~ / @ + % -, with no part starting with -');
  return { ok: true, value: { kind: 'https', url: u.toString(), host: u.hostname, port: u.port ? Number(u.port) : null, path: p } };
}

function parseLocal(path: string, url: string): ParsedRepositoryUrl {
  if (!path.startsWith('/')) return fail('a local repository is given by its absolute path');
  if (path.split('/').some((segment) => segment.startsWith('-'))) return fail('no part of a local path may start with -');
  if (path.split('/').includes('..')) return fail('a local path must not contain ..');
  return { ok: true, value: { kind: 'local', url, path } };
}

/** Parses what a user gives as a repository to clone; the reason when refused. */
export function parseRepositoryUrl(input: string): ParsedRepositoryUrl {
  const url = input.trim();
  if (!url) return fail('must not be empty');
  if (url.length > 2048) return fail('is too long');
  if (CONTROL_CHARS.test(url) || url.includes('\u0000') || /\s/.test(url)) return fail('must not contain spaces or control characters');
  if (url.startsWith('-')) return fail('must not start with "-" (it would be read as an option)');
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(url)) return fail(`git's "<transport>::" remote helpers (${url.split('::')[0]}::) are not allowed`);
  if (url.startsWith('/')) return parseLocal(url, url);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'ssh') return parseSshUrl(url);
  if (scheme === 'https') return parseHttpsUrl(url);
  if (scheme === 'file') {
    const path = safeDecode(url.slice('file://'.length));
    if (path === null) return fail('the path has a broken %-escape');
    return parseLocal(path, path);
  }
  if (scheme) return fail(`${scheme}:// is not supported; use ssh://, https://, git@host:path or a local path`);
  // scp-like: [user@]host:path (git reads it so only when no slash comes before the colon).
  const scp = /^(?:([^@/:]+)@)?([^@/:]+):(.+)$/.exec(url);
  if (!scp) return fail('use ssh://, https://, git@host:owner/repo.git or an absolute local path');
  const [, user, host, path] = scp;
  if (user !== undefined && !USER.test(user)) return fail(`"${user}" is not a user name rdv accepts (letters, digits, . _ -; not starting with -)`);
  if (!HOST.test(host!)) return fail(`"${host}" is not a host name`);
  const p = remotePath(path!, path!.startsWith('/'));
  if (!p) return fail('the path must be letters, digits and . _ ~ / @ + % -, with no part starting with -');
  return { ok: true, value: { kind: 'ssh', url, user: user ?? null, host: host!, port: null, path: p } };
}

/**
 * Where to open a pull (merge) request for `branch` against `base` on GitHub or GitLab
 * hosts (named github… or gitlab…), derived from the remote URL; null for other hosts.
 */
export function compareUrlFor(remote: RepositoryUrl, branch: string, base: string | null): string | null {
  if (remote.kind === 'local') return null;
  const host = remote.host.toLowerCase();
  const project = remote.path.replace(/^\/+/, '').replace(/\.git$/, '').replace(/\/+$/, '');
  if (!project.includes('/')) return null;
  const enc = (ref: string) => ref.split('/').map(encodeURIComponent).join('/');
  if (/(^|\.)github\./.test(host) || host.startsWith('github')) {
    return `https://${host}/${project}/compare/${base ? `${enc(base)}...` : ''}${enc(branch)}?expand=1`;
  }
  if (/(^|\.)gitlab\./.test(host) || host.startsWith('gitlab')) {
    const q = new URLSearchParams({ 'merge_request[source_branch]': branch, ...(base ? { 'merge_request[target_branch]': base } : {}) });
    return `https://${host}/${project}/-/merge_requests/new?${q.toString()}`;
  }
  return null;
}
