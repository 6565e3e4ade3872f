import { CreateHostSchema, HostSchema, listOf } from '@rdv/core/schemas';
import { auditAs } from '../context.js';
import { defineRoute, type RouteDef } from '../route.js';
import type { RouteDeps } from './table.js';

const tag = 'hosts';

/** Other machines running rdv: added with a CLI token of their owner (kept sealed, never returned). */
export function hostRoutes(deps: RouteDeps): RouteDef[] {
  const { hosts } = deps;
  const audit = auditAs.bind(null, deps);
  return [
    defineRoute({
      method: 'get',
      path: '/api/hosts',
      tag,
      summary: 'List hosts with the state of their links (connected, latency, last error, rdv version)',
      response: listOf(HostSchema),
      handler: ({ auth }) => ({ items: hosts.list(auth.user.id) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/hosts',
      tag,
      summary: 'Add a host: an ssh destination and a CLI token of its owner; the link starts at once',
      body: CreateHostSchema,
      response: HostSchema,
      status: 201,
      sensitive: true,
      handler: ({ auth, body }) => {
        const host = hosts.add(auth.user.id, body);
        audit(auth, 'host.add', host.id, { destination: host.destination });
        return host;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/hosts/:id',
      tag,
      summary: 'Get a host (by id or name)',
      response: HostSchema,
      handler: ({ auth, params }) => hosts.get(auth.user.id, params.id!),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/hosts/:id',
      tag,
      summary: 'Remove a host: ends its link and forgets its token',
      response: HostSchema,
      sensitive: true,
      handler: ({ auth, params }) => {
        const host = hosts.remove(auth.user.id, params.id!);
        audit(auth, 'host.remove', host.id);
        return host;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/hosts/:id/test',
      tag,
      summary: 'Reconnect now if the link is down, probe the host, and return its state',
      response: HostSchema,
      handler: ({ auth, params }) => hosts.test(auth.user.id, params.id!),
    }),
  ];
}
