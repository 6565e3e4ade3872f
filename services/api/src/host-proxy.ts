import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '@rdv/core/errors';
import { socketRequest } from '@rdv/core/lifecycle';
import type { HostService } from '@rdv/core/hosts';
import type { HostRef } from '@rdv/core/schemas';
import { auditAs, authOf, type AppDeps } from './context.js';
import type { RouteDef } from './route.js';
import { listAcrossHosts, withHost } from './across-hosts.js';

// Routes that act on another machine with `?host=<id or name>`: the request goes, as it
// is (minus `host`), to that host's api through its forwarded api.sock, as the host's owner,
// and its answer comes back as it is, sessions marked with the host they live on.

/** Where `?host=` forwards: the routes of sessions, folders, worktrees, attention and search. */
const PROXIED = /^\/api\/(sessions|folders|worktrees|orchestrators|insights|search$|notifications(\/read)?$)/;

/** True for the routes `?host=` reaches another machine through (GET /api/sessions merges instead). */
export function reachesHosts(def: RouteDef): boolean {
  if (def.method === 'get' && def.path === '/api/sessions') return false;
  return (def.auth ?? 'user') === 'user' && !def.managesCredentials && PROXIED.test(def.path);
}

/** Marks every item of a list with its host (insights, notifications, search hits, sessions). */
const markItems = (body: unknown, host: HostRef) => ({ ...(body as object), items: ((body as { items?: unknown[] }).items ?? []).map((i) => (i && typeof i === 'object' ? { ...i, host } : i)) });

/** The caller's own credentials, to ask this api the same question (for `?host=all`). */
const CREDENTIAL_HEADERS = ['authorization', 'x-rdv-service-token', 'x-rdv-user-id'] as const;

/**
 * `?host=all` on a list: this machine's answer (asked of api.sock with the caller's own
 * credentials, so it is exactly what they would get) with every host's items added, each
 * item marked with its host; a host that is down adds what it listed last.
 */
async function listEverywhere(deps: AppDeps & { hosts: HostService }, req: Request, path: string): Promise<{ status: number; body: unknown }> {
  if (req.method !== 'GET' || !deps.apiSocket) throw new AppError('invalid_input', 'host=all is for lists (GET); name one host for anything else');
  const headers: Record<string, string> = {};
  for (const name of CREDENTIAL_HEADERS) if (typeof req.headers[name] === 'string') headers[name] = req.headers[name];
  const local = await socketRequest<{ items?: object[] }>(deps.apiSocket, path, { headers });
  if (local.status !== 200 || !Array.isArray(local.body?.items)) return { status: local.status, body: local.body };
  const items = await listAcrossHosts(deps.hosts, authOf(req).user.id, 'all', path, () => local.body.items ?? [], markItems);
  return { status: 200, body: { ...local.body, items } };
}

/** The `?host=` of a request when it names another machine; undefined for none or `local`. */
export function remoteHostOf(req: Request): string | undefined {
  const host = req.query.host;
  return typeof host === 'string' && host !== 'local' ? host : undefined;
}

/** Middleware run after authentication: forwards the request when `?host=` names a host. */
export function hostProxy(deps: AppDeps & { hosts: HostService }) {
  return (def: RouteDef): RequestHandler[] => {
    if (!reachesHosts(def)) return [];
    return [
      (req: Request, res: Response, next: NextFunction) => {
        const host = remoteHostOf(req);
        if (host === undefined) return next();
        const auth = authOf(req);
        const url = new URL(req.originalUrl, 'http://rdv');
        url.searchParams.delete('host');
        const path = `${url.pathname}${url.search}`;
        const body: unknown = req.body;
        if (host === 'all') {
          listEverywhere(deps, req, path)
            .then((answer) => void res.status(answer.status).json(answer.body))
            .catch(next);
          return;
        }
        deps.hosts
          .request(auth.user.id, host, req.method, path, body)
          .then((answer) => {
            const ref = deps.hosts.ref(auth.user.id, host);
            if (def.sensitive) auditAs(deps, auth, 'host.request', ref.id, { method: req.method, path: url.pathname, status: answer.status });
            const type = String(answer.headers['content-type'] ?? '').toLowerCase();
            // Another machine answers on this origin: only a status in range, JSON, or plain text
            // (served as text that no browser runs) come back; anything else is the host's fault.
            const status = answer.status >= 200 && answer.status <= 599 ? answer.status : 502;
            if (status === 204 || answer.text === '') {
              res.status(status).end();
            } else if (type.startsWith('application/json') && answer.body !== null && typeof answer.body === 'object') {
              res.status(status).json(status < 300 ? withHost(answer.body, ref) : answer.body);
            } else if (type.startsWith('text/plain')) {
              res.status(status).setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
              res.setHeader('X-Content-Type-Options', 'nosniff');
              res.type('text/plain; charset=utf-8').send(answer.text);
            } else {
              next(new AppError('unavailable', `host ${ref.name} answered with ${type || 'no content type'}, which rdv does not pass on`));
            }
          })
          .catch(next);
      },
    ];
  };
}
