import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import type { Logger } from 'pino';
import { schema, type Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import type { EventBus } from '../events/index.js';
import { parseRepositoryUrl, type Repository, type RepositoryUrl } from '../schemas/index.js';
import { withAgent, type SshAgent } from './agent.js';
import { forgetHost, knownHostsName, pinnedKeys } from './known-hosts.js';
import { remoteGit } from './remote-git.js';
import type { IdentityService, UnsealedIdentity } from './service.js';

type Row = typeof schema.repositories.$inferSelect;

export interface RepositoryServiceDeps {
  db: Db;
  identities: IdentityService;
  events?: EventBus;
  log: Logger;
  /** RDV_HOME: mirrors go to repos/, host keys to known_hosts. */
  home: string;
  /** Where short-lived agents put their sockets (RDV_HOME/run). */
  runDir: string;
}

/** Bare mirrors of users' remote repositories, cloned and fetched as an identity. */
export interface RepositoryService {
  list(userId: string): Repository[];
  get(userId: string, id: string): Repository;
  /** Starts a clone (status "cloning"; progress and the end on the event stream); with `wait`, answers when it is done. */
  create(userId: string, input: { url: string; identityId?: string; wait?: boolean }): Promise<Repository>;
  /** Fetches (or, after a failed clone, clones again). */
  fetch(userId: string, id: string): Promise<Repository>;
  /** Deletes the mirror; refused while worktrees of it exist. */
  remove(userId: string, id: string): Repository;
  /** Fetches and returns the mirror's path, for a new worktree. */
  prepareWorktree(userId: string, id: string): Promise<string>;
  /** The repository whose mirror is at `path`, if any. */
  byPath(userId: string, path: string): Repository | null;
  /** Removes the pinned host keys of `host` (`host` or `[host]:port`) from known_hosts. */
  forgetHost(host: string): Promise<boolean>;
  /** The identity a repository works as (its own, else the user default), unsealed. */
  identityFor(userId: string, repo: Repository, override?: string | null): UnsealedIdentity | null;
  /** Runs git against the repository's remote with an agent for `identity`. */
  withRemote<T>(identity: UnsealedIdentity | null, fn: (agent: SshAgent | null) => Promise<T>): Promise<T>;
  knownHosts: string;
  /** Resolves when no clone started in the background is still running. */
  idle(): Promise<void>;
}

export function createRepositoryService(deps: RepositoryServiceDeps): RepositoryService {
  const { db, log, identities } = deps;
  const reposDir = join(deps.home, 'repos');
  const knownHosts = join(deps.home, 'known_hosts');
  const running = new Set<Promise<unknown>>();
  const locks = new Map<string, Promise<unknown>>();
  const withLock = async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const run = (locks.get(key) ?? Promise.resolve()).catch(() => undefined).then(fn);
    locks.set(key, run);
    try {
      return await run;
    } finally {
      if (locks.get(key) === run) locks.delete(key);
    }
  };

  // A clone still "cloning" from an earlier run was cut off when rdv stopped.
  db.update(schema.repositories)
    .set({ status: 'failed', error: 'the clone was interrupted when rdv stopped; fetch it to clone again', updatedAt: new Date() })
    .where(eq(schema.repositories.status, 'cloning'))
    .run();

  const toRepository = (r: Row): Repository => ({
    id: r.id,
    url: r.url,
    path: r.path,
    identityId: r.identityId,
    status: r.status,
    error: r.error,
    defaultBranch: r.defaultBranch,
    hostKey: r.hostKey,
    lastFetchedAt: r.lastFetchedAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  });
  const row = (userId: string, id: string): Row => {
    const r = db.select().from(schema.repositories).where(and(eq(schema.repositories.id, id), eq(schema.repositories.userId, userId))).get();
    if (!r) throw new AppError('not_found', `repository ${id} not found`);
    return r;
  };
  const set = (r: Row, patch: Partial<Row>): Repository => {
    const next = db.update(schema.repositories).set({ ...patch, updatedAt: new Date() }).where(eq(schema.repositories.id, r.id)).returning().get();
    const repository = toRepository(next);
    deps.events?.publish(r.userId, 'repository.updated', { repository });
    return repository;
  };
  const parse = (url: string): RepositoryUrl => {
    const parsed = parseRepositoryUrl(url);
    if (!parsed.ok) throw new AppError('invalid_input', `url: ${parsed.message}`);
    return parsed.value;
  };

  const service: RepositoryService = {
    knownHosts,
    list: (userId) => db.select().from(schema.repositories).where(eq(schema.repositories.userId, userId)).all().map(toRepository),
    get: (userId, id) => toRepository(row(userId, id)),
    async create(userId, input) {
      const url = parse(input.url);
      if (url.kind === 'local') checkLocalRepository(url.path);
      if (input.identityId) identities.get(userId, input.identityId);
      const identityId = input.identityId ?? identities.effective(userId, null).identity?.id ?? null;
      if (url.kind === 'ssh' && !identityId) {
        throw new AppError('invalid_input', 'an ssh URL needs an identity to reach it: give identityId, or create one (`rdv identity add`) and make it your default');
      }
      const id = randomUUID();
      mkdirSync(reposDir, { recursive: true, mode: 0o700 });
      const at = new Date();
      const inserted = db
        .insert(schema.repositories)
        .values({ id, userId, url: url.url, path: join(reposDir, `${id}.git`), identityId, status: 'cloning', createdAt: at, updatedAt: at })
        .returning()
        .get();
      deps.events?.publish(userId, 'repository.updated', { repository: toRepository(inserted) });
      const job = withLock(id, () => clone(inserted));
      if (input.wait) return job;
      const tracked = job.catch(() => undefined).finally(() => running.delete(tracked));
      running.add(tracked);
      return toRepository(inserted);
    },
    async fetch(userId, id) {
      const r = row(userId, id);
      return withLock(id, () => (r.status === 'ready' ? fetchMirror(row(userId, id)) : clone(row(userId, id))));
    },
    remove(userId, id) {
      const r = row(userId, id);
      if (locks.has(id)) throw new AppError('conflict', `repository ${id} is being cloned or fetched; remove it when that is done`);
      const worktrees = db
        .select({ path: schema.worktrees.path })
        .from(schema.worktrees)
        .where(and(eq(schema.worktrees.repoPath, r.path), inArray(schema.worktrees.status, ['active', 'trashed'])))
        .all();
      if (worktrees.length) throw new AppError('conflict', `worktrees of this repository still exist (${worktrees.map((w) => w.path).join(', ')}); remove them first`);
      db.delete(schema.repositories).where(eq(schema.repositories.id, id)).run();
      rmSync(r.path, { recursive: true, force: true });
      rmSync(`${r.path}-worktrees`, { recursive: true, force: true });
      log.info({ repositoryId: id }, 'repository removed');
      deps.events?.publish(userId, 'repository.updated', { repository: { ...toRepository(r), deleted: true } });
      return toRepository(r);
    },
    async prepareWorktree(userId, id) {
      const r = row(userId, id);
      if (r.status === 'cloning') throw new AppError('conflict', `repository ${id} is still being cloned; try again when it is ready`);
      const repo = await service.fetch(userId, id);
      return repo.path;
    },
    byPath(userId, path) {
      const r = db.select().from(schema.repositories).where(and(eq(schema.repositories.userId, userId), eq(schema.repositories.path, path))).get();
      return r ? toRepository(r) : null;
    },
    forgetHost: (host) => forgetHost(knownHosts, host),
    identityFor(userId, repo, override) {
      const id = override ?? repo.identityId ?? identities.effective(userId, null).identity?.id ?? null;
      return id ? identities.unseal(userId, id) : null;
    },
    withRemote: (identity, fn) => withAgent(deps.runDir, identity, fn),
    async idle() {
      while (running.size) await Promise.all([...running]);
    },
  };

  /** Progress lines as events, at most a few a second (each is stored for resuming streams). */
  const progress = (r: Row) => {
    let last = 0;
    return (line: string) => {
      const now = Date.now();
      if (now - last < 250 && !/done\.?$|^fatal|^error/i.test(line)) return;
      last = now;
      deps.events?.publish(r.userId, 'repository.progress', { repositoryId: r.id, line });
    };
  };

  async function runRemote(r: Row, args: string[], cwd: string) {
    const identity = service.identityFor(r.userId, toRepository(r));
    return service.withRemote(identity, (agent) => remoteGit(cwd, args, { knownHosts, agent, onLine: progress(r) }));
  }

  async function syncHeads(r: Row): Promise<Partial<Row>> {
    const url = parse(r.url);
    const { stdout } = await runRemote(r, ['ls-remote', '--symref', 'origin', 'HEAD'], r.path);
    const head = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(stdout)?.[1] ?? null;
    if (head) {
      await remoteGit(r.path, ['symbolic-ref', 'HEAD', `refs/heads/${head}`], { knownHosts, agent: null });
      await remoteGit(r.path, ['symbolic-ref', 'refs/remotes/origin/HEAD', `refs/remotes/origin/${head}`], { knownHosts, agent: null });
    }
    const name = knownHostsName(url);
    return { defaultBranch: head, hostKey: name ? (pinnedKeys(knownHosts, name)[0] ?? null) : null, lastFetchedAt: new Date() };
  }

  async function fetchMirror(r: Row): Promise<Repository> {
    try {
      await runRemote(r, ['fetch', '--progress', '--prune', '--tags', 'origin'], r.path);
      const heads = await syncHeads(r);
      log.info({ repositoryId: r.id }, 'repository fetched');
      return set(r, { ...heads, status: 'ready', error: null });
    } catch (err) {
      log.warn({ repositoryId: r.id, err: (err as Error).message }, 'repository fetch failed');
      throw err;
    }
  }

  async function clone(r: Row): Promise<Repository> {
    rmSync(r.path, { recursive: true, force: true });
    if (r.status !== 'cloning') set(r, { status: 'cloning', error: null });
    try {
      const local = (args: string[], cwd = r.path) => remoteGit(cwd, args, { knownHosts, agent: null });
      await local(['init', '--quiet', '--bare', '--', r.path], reposDir);
      await local(['config', 'remote.origin.url', r.url]);
      // Remote branches stay remote-tracking refs: a fetch never moves a branch a worktree has checked out.
      await local(['config', 'remote.origin.fetch', '+refs/heads/*:refs/remotes/origin/*']);
      // Worktrees get their own author (config.worktree); core.bare moves there so they are not bare.
      await local(['config', 'extensions.worktreeConfig', 'true']);
      await local(['config', '--unset', 'core.bare']);
      await local(['config', '--worktree', 'core.bare', 'true']);
      await runRemote(r, ['fetch', '--progress', '--prune', '--tags', 'origin'], r.path);
      const heads = await syncHeads(r);
      log.info({ repositoryId: r.id, hostKey: heads.hostKey }, 'repository cloned');
      return set(r, { ...heads, status: 'ready', error: null });
    } catch (err) {
      const message = err instanceof AppError ? err.message : 'the clone failed';
      log.warn({ repositoryId: r.id, err: message }, 'repository clone failed');
      rmSync(r.path, { recursive: true, force: true });
      set(r, { status: 'failed', error: message });
      throw err;
    }
  }

  return service;
}

/** A local path must be a git repository (bare or with a work tree): checked on disk, without running git in it. */
function checkLocalRepository(path: string): void {
  const isGitDir = (dir: string) => {
    try {
      return statSync(join(dir, 'objects')).isDirectory() && existsSync(join(dir, 'HEAD'));
    } catch {
      return false;
    }
  };
  if (!isGitDir(path) && !isGitDir(join(path, '.git'))) throw new AppError('invalid_input', `url: ${path} is not a git repository on this machine`);
}
