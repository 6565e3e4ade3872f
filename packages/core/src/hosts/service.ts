import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { SecretBox } from '../auth/index.js';
import { schema, type Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import type { EventBus } from '../events/index.js';
import type { ApiResponse } from '../lifecycle/index.js';
import type { Logger } from '../log/index.js';
import { IdSchema, SSH_URL, type CreateHost, type Host, type HostRef, type HostState } from '../schemas/index.js';
import { openHostLink, type HostLink, type LinkStatus } from './link.js';
import { remoteRequest } from './remote.js';
import type { SshSettings } from './ssh.js';

type Row = typeof schema.hosts.$inferSelect;

export interface HostServiceDeps {
  db: Db;
  events: EventBus;
  secrets: SecretBox;
  log: Logger;
  /** RDV_HOME/run: forwarded sockets go to run/hosts/<id>/. */
  runDir: string;
  ssh: SshSettings;
  /** This rdv's version, to report hosts that run another. */
  version: string;
  probeIntervalMs: number;
  reconnectMaxMs: number;
}

export interface HostService {
  list(userId: string): Host[];
  /** By id or name; `not_found` otherwise. */
  get(userId: string, idOrName: string): Host;
  /** Stores the host (its token sealed) and starts its link; `conflict` if the name is taken. */
  add(userId: string, input: CreateHost): Host;
  /** Ends the link and forgets the host and its token (idempotent per id: `not_found` after). */
  remove(userId: string, idOrName: string): Host;
  /** Reconnects now if down, probes, and returns the host as it is after that. */
  test(userId: string, idOrName: string): Promise<Host>;
  /** A request to the host's api as its owner; `unavailable` unless the host is connected. */
  request<T = unknown>(userId: string, idOrName: string, method: string, path: string, body?: unknown): Promise<ApiResponse<T>>;
  /** Where a host's terminal service is reached on this machine, with the token it takes. */
  terminal(userId: string, idOrName: string): { socket: string; token: string; host: HostRef };
  ref(userId: string, idOrName: string): HostRef;
  /** Remembers what a host last listed (sessions), so a host that drops still shows them. */
  remember(hostId: string, key: string, items: unknown[]): void;
  recall(hostId: string, key: string): unknown[];
  dispose(): void;
}

/**
 * Hosts of each user and one live link per host. State changes are stored on the row and
 * published as `host.state`; the host's own events come back as `host.event` with its id.
 * The sealed token is opened only to make a request, and never leaves this module.
 */
export function createHostService(deps: HostServiceDeps): HostService {
  const { db, events, secrets, log } = deps;
  const links = new Map<string, HostLink>();
  const cache = new Map<string, Map<string, unknown[]>>();

  const rowOf = (userId: string, idOrName: string): Row => {
    const byId = IdSchema.safeParse(idOrName).success
      ? db.select().from(schema.hosts).where(and(eq(schema.hosts.userId, userId), eq(schema.hosts.id, idOrName))).get()
      : undefined;
    const row = byId ?? db.select().from(schema.hosts).where(and(eq(schema.hosts.userId, userId), eq(schema.hosts.name, idOrName))).get();
    if (!row) throw new AppError('not_found', `no host ${JSON.stringify(idOrName)} (see rdv host list)`);
    return row;
  };

  const toHost = (row: Row): Host => {
    const live = links.get(row.id)?.status();
    const version = live?.version ?? row.version;
    return {
      id: row.id,
      name: row.name,
      destination: row.destination,
      port: row.port,
      identityFile: row.identityFile,
      knownHostsFile: row.knownHostsFile,
      remoteHome: row.remoteHome,
      state: live?.state ?? (row.lastState as HostState),
      latencyMs: live?.latencyMs ?? null,
      lastError: live ? live.lastError : row.lastError,
      version,
      versionMatches: version ? version === deps.version : null,
      lastConnectedAt: (live?.lastConnectedAt ?? row.lastConnectedAt)?.toISOString() ?? null,
      createdAt: row.createdAt.toISOString(),
    };
  };

  const onStatus = (row: Row, status: LinkStatus) => {
    db.update(schema.hosts)
      .set({ lastState: status.state, lastError: status.lastError, version: status.version, lastConnectedAt: status.lastConnectedAt })
      .where(eq(schema.hosts.id, row.id))
      .run();
    const host = toHost({ ...row, lastState: status.state });
    const { id, name, state, latencyMs, lastError, version, versionMatches } = host;
    events.publish(row.userId, 'host.state', { id, name, state, latencyMs, lastError, version, versionMatches });
    if (host.versionMatches === false) log.warn({ hostId: id, version, ours: deps.version }, 'host runs another rdv version');
  };

  const relay = hostEventRelay(log);
  const startLink = (row: Row) => {
    const aad = `host:${row.id}`;
    const link = openHostLink({
      hostId: row.id,
      target: row,
      remoteHome: row.remoteHome,
      token: () => secrets.open(row.tokenSealed, aad).toString('utf8'),
      runDir: deps.runDir,
      ssh: deps.ssh,
      probeIntervalMs: deps.probeIntervalMs,
      reconnectMaxMs: deps.reconnectMaxMs,
      log: log.child({ hostId: row.id }),
      onStatus: (status) => onStatus(row, status),
      onEvent: (event) => {
        // Another machine speaks here: what it may add to this one's event store is bounded.
        if (!relay.admit(row.id, event.data)) return;
        events.publish(row.userId, 'host.event', { host: { id: row.id, name: row.name }, type: event.type, remoteId: event.id, at: event.at, data: event.data });
      },
    });
    links.set(row.id, link);
  };

  for (const row of db.select().from(schema.hosts).all()) startLink(row);

  const service: HostService = {
    list: (userId) => db.select().from(schema.hosts).where(eq(schema.hosts.userId, userId)).orderBy(schema.hosts.name).all().map(toHost),
    get: (userId, idOrName) => toHost(rowOf(userId, idOrName)),
    add(userId, input) {
      const taken = db.select().from(schema.hosts).where(and(eq(schema.hosts.userId, userId), eq(schema.hosts.name, input.name))).get();
      if (taken) throw new AppError('conflict', `a host named ${JSON.stringify(input.name)} exists already (rdv host remove ${input.name} first)`);
      const id = randomUUID();
      // ssh://user@host:port is kept as user@host and the port, as `rdv host list` shows them.
      const url = SSH_URL.exec(input.destination);
      const destination = url ? url[1]! : input.destination;
      const port = input.port ?? (url?.[2] ? Number(url[2]) : null);
      if (port !== null && !(port >= 1 && port <= 65535)) throw new AppError('invalid_input', `port ${port} is not a TCP port`);
      const row = db
        .insert(schema.hosts)
        .values({
          id,
          userId,
          name: input.name,
          destination,
          port,
          identityFile: input.identityFile ?? null,
          knownHostsFile: input.knownHostsFile ?? null,
          remoteHome: input.remoteHome ?? null,
          tokenSealed: secrets.seal(input.token, `host:${id}`),
          lastState: 'connecting',
        })
        .returning()
        .get();
      startLink(row);
      log.info({ hostId: id, destination: row.destination }, 'host added');
      return toHost(row);
    },
    remove(userId, idOrName) {
      const row = rowOf(userId, idOrName);
      const host = toHost(row);
      links.get(row.id)?.dispose();
      links.delete(row.id);
      cache.delete(row.id);
      db.delete(schema.hosts).where(eq(schema.hosts.id, row.id)).run();
      events.publish(userId, 'host.state', { id: row.id, name: row.name, state: 'removed' });
      return host;
    },
    async test(userId, idOrName) {
      const row = rowOf(userId, idOrName);
      await links.get(row.id)?.test();
      return toHost(row);
    },
    async request<T>(userId: string, idOrName: string, method: string, path: string, body?: unknown) {
      const row = rowOf(userId, idOrName);
      const link = links.get(row.id);
      const status = link?.status();
      if (!link || status?.state !== 'connected') {
        throw new AppError('unavailable', `host ${row.name} is ${status?.state ?? 'not linked'}${status?.lastError ? `: ${status.lastError}` : ''}`, { retryAfterMs: 5000 });
      }
      try {
        return await remoteRequest<T>(link.sockets.api, secrets.open(row.tokenSealed, `host:${row.id}`).toString('utf8'), method, path, body);
      } catch (err) {
        throw new AppError('unavailable', `host ${row.name} did not answer through its link (${(err as Error).message})`, { retryAfterMs: 5000 });
      }
    },
    terminal(userId, idOrName) {
      const row = rowOf(userId, idOrName);
      const link = links.get(row.id);
      if (!link || link.status().state !== 'connected') throw new AppError('unavailable', `host ${row.name} is ${link?.status().state ?? 'not linked'}`, { retryAfterMs: 5000 });
      return { socket: link.sockets.terminal, token: secrets.open(row.tokenSealed, `host:${row.id}`).toString('utf8'), host: service.ref(userId, row.id) };
    },
    ref(userId, idOrName) {
      const host = toHost(rowOf(userId, idOrName));
      return { id: host.id, name: host.name, state: host.state };
    },
    remember(hostId, key, items) {
      let byKey = cache.get(hostId);
      if (!byKey) cache.set(hostId, (byKey = new Map()));
      byKey.delete(key);
      byKey.set(key, items);
      // The lists asked for last are kept; a host's cache does not grow with every new query string.
      while (byKey.size > REMEMBERED_LISTS) byKey.delete(byKey.keys().next().value!);
    },
    recall: (hostId, key) => cache.get(hostId)?.get(key) ?? [],
    dispose() {
      for (const link of links.values()) link.dispose();
      links.clear();
    },
  };
  return service;
}

/** How many lists (by path and query) are remembered per host for when it is unreachable. */
const REMEMBERED_LISTS = 64;

/** The largest event, and the most events a second, taken from one host. */
const HOST_EVENT_MAX_BYTES = 64 * 1024;
const HOST_EVENTS_PER_SECOND = 200;

/** Drops a host's events past the size and rate bounds, saying so once a second at most. */
function hostEventRelay(log: Logger) {
  const windows = new Map<string, { second: number; count: number; warned: number }>();
  return {
    admit(hostId: string, data: unknown): boolean {
      const second = Math.floor(Date.now() / 1000);
      let w = windows.get(hostId);
      if (!w || w.second !== second) windows.set(hostId, (w = { second, count: 0, warned: w?.warned ?? 0 }));
      w.count += 1;
      const size = Buffer.byteLength(JSON.stringify(data ?? null));
      if (w.count <= HOST_EVENTS_PER_SECOND && size <= HOST_EVENT_MAX_BYTES) return true;
      if (w.warned !== second) {
        w.warned = second;
        log.warn({ hostId, size, perSecond: w.count }, 'dropped events from a host past the size or rate bound');
      }
      return false;
    },
  };
}
