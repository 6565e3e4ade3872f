import type { HostService } from '@rdv/core/hosts';
import type { Host, HostRef } from '@rdv/core/schemas';

/**
 * A list from several machines: this one's items (marked `host: null`) unless `host` names
 * one host, then each host's answer to `path` marked with its host. A host that does not
 * answer contributes what it listed last, marked with its state (unreachable): its sessions
 * are shown as they were, never dropped.
 */
export async function listAcrossHosts(
  hosts: HostService,
  userId: string,
  host: string,
  path: string,
  local: () => object[] | Promise<object[]>,
  mark: (body: unknown, host: HostRef) => unknown = withHost,
): Promise<unknown[]> {
  const targets: Host[] = host === 'all' ? hosts.list(userId) : [hosts.get(userId, host)];
  const mine = host === 'all' ? (await local()).map((item) => ({ ...item, host: null })) : [];
  const theirs = await Promise.all(
    targets.map(async (h) => {
      const ref: HostRef = { id: h.id, name: h.name, state: h.state };
      if (h.state === 'connected') {
        try {
          const answer = await hosts.request<{ items?: unknown }>(userId, h.id, 'GET', path);
          if (answer.status === 200 && Array.isArray(answer.body?.items)) {
            hosts.remember(h.id, path, answer.body.items);
            return (mark(answer.body, ref) as { items: unknown[] }).items;
          }
        } catch {
          // The link dropped between the state check and the request: the last list stands in.
        }
      }
      const stale: HostRef = { ...ref, state: h.state === 'connected' ? 'unreachable' : h.state };
      return (mark({ items: hosts.recall(h.id, path) }, stale) as { items: unknown[] }).items;
    }),
  );
  return [...mine, ...theirs.flat()];
}

/**
 * Marks what a host answered with the host: the answer itself when it is a record (it has an
 * id), each of its `items`, and each of its `sessions` (a folder's children or context). A
 * record is marked whatever else it carries: one a host sent without a session's fields, or
 * with a `host` of its own, must still never pass for one of this machine's.
 */
export function withHost(body: unknown, host: HostRef): unknown {
  const isObject = (v: unknown): v is object => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
  const mark = (v: unknown) => (isObject(v) ? { ...v, host } : v);
  if (!isObject(body)) return body;
  const out: Record<string, unknown> = 'id' in body || 'tmuxName' in body ? { ...body, host } : { ...body };
  for (const key of ['items', 'sessions']) if (Array.isArray(out[key])) out[key] = (out[key] as unknown[]).map(mark);
  return out;
}
