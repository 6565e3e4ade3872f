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
 * Marks a session with its host: the answer itself, each of its `items`, or each of its
 * `sessions` (a folder's children or context).
 */
export function withHost(body: unknown, host: HostRef): unknown {
  const mark = (v: unknown) => (v && typeof v === 'object' && 'tmuxName' in v ? { ...v, host } : v);
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const out: Record<string, unknown> = { ...(mark(body) as object) };
  for (const key of ['items', 'sessions']) if (Array.isArray(out[key])) out[key] = (out[key] as unknown[]).map(mark);
  return out;
}
