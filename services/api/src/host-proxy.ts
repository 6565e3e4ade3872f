import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { HostService } from '@rdv/core/hosts';
import type { HostRef } from '@rdv/core/schemas';
import { auditAs, authOf, type AppDeps } from './context.js';
import type { RouteDef } from './route.js';

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

const isSessionPath = (path: string) => path.startsWith('/api/sessions');

/** Marks a session (or each session of a list) with its host. */
export function withHost(body: unknown, host: HostRef): unknown {
  const mark = (v: unknown) => (v && typeof v === 'object' && 'tmuxName' in v ? { ...v, host } : v);
  if (body && typeof body === 'object' && Array.isArray((body as { items?: unknown }).items)) {
    return { ...body, items: (body as { items: unknown[] }).items.map(mark) };
  }
  return mark(body);
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
        deps.hosts
          .request(auth.user.id, host, req.method, path, body)
          .then((answer) => {
            const ref = deps.hosts.ref(auth.user.id, host);
            if (def.sensitive) auditAs(deps, auth, 'host.request', ref.id, { method: req.method, path: url.pathname, status: answer.status });
            const type = String(answer.headers['content-type'] ?? '');
            if (answer.status === 204 || answer.text === '') {
              res.status(answer.status).end();
            } else if (type.includes('json') && typeof answer.body === 'object') {
              res.status(answer.status).json(answer.status < 300 && isSessionPath(url.pathname) ? withHost(answer.body, ref) : answer.body);
            } else {
              res.status(answer.status).type(type || 'text/plain').send(answer.text);
            }
          })
          .catch(next);
      },
    ];
  };
}
