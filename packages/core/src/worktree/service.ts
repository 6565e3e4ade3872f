import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import type { Logger } from 'pino';
import { AppError } from '../errors/index.js';
import { schema, type Db } from '../db/index.js';
import type { CreateWorktree, Worktree } from '../schemas/index.js';
import { validateBranchName } from './branch.js';
import { git, gitOrNull } from './git.js';
import { copyIncludes, type SkippedInclude } from './includes.js';
import { addWorktree, defaultBranch, listGitWorktrees, repoRoot, runSetup, worktreePathFor, type SetupResult } from './ops.js';
import { removalBlockers, removeGitWorktree, worktreeStatus, type WorktreeGitStatus } from './status.js';
import { createWorktreeTrash, type WorktreeTrash } from './trash.js';

type Row = typeof schema.worktrees.$inferSelect;
const DAY_MS = 86_400_000;

export interface WorktreeServiceDeps {
  db: Db;
  log: Logger;
  /** Where worktrees go; "" means beside each repo, in `<repo>-worktrees/`. */
  root: string;
  /** RDV_HOME: trash and setup logs live under it. */
  home: string;
  trashRetentionDays: number;
  staleDays: number;
  /** Cloned repositories (core/identity): fetches one and gives its bare mirror, for `repositoryId`. */
  repositories?: { prepareWorktree(userId: string, repositoryId: string): Promise<string> };
}

export interface CleanupCandidate {
  id: string | null;
  path: string;
  branch: string | null;
  reasons: Array<'merged' | 'stale' | 'orphaned' | 'missing'>;
  blockers: string[];
  removed: boolean;
}

/** Worktrees of a user's repositories, and (from WorktreeTrash) the trash of closed worktree sessions. */
export interface WorktreeService extends WorktreeTrash {
  /** Creates a worktree (branch validated, includes copied, setup run); all or nothing. */
  create(userId: string, input: CreateWorktree, sessionId?: string | null): Promise<Worktree>;
  get(userId: string, id: string): Worktree;
  findByPath(userId: string, path: string): Worktree;
  list(userId: string, filter?: { repoPath?: string; status?: Worktree['status'] | 'all' }): Worktree[];
  status(userId: string, worktree: Worktree): Promise<WorktreeGitStatus>;
  attachSession(id: string, sessionId: string): void;
  /** Removes the worktree; refuses uncommitted/unpushed changes unless `force`. */
  remove(userId: string, id: string, force: boolean): Promise<Worktree>;
  /** Removes a worktree made moments ago whose session could not start (branch too, if new). */
  discard(userId: string, id: string): Promise<void>;
  cleanup(userId: string, options: { repoPath?: string; staleDays?: number; remove: boolean }): Promise<CleanupCandidate[]>;
}

export function createWorktreeService(deps: WorktreeServiceDeps): WorktreeService {
  const { db, log } = deps;
  const locks = new Map<string, Promise<unknown>>();
  const withLock = async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const prev = locks.get(key) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(fn);
    locks.set(key, run);
    try {
      return await run;
    } finally {
      if (locks.get(key) === run) locks.delete(key);
    }
  };
  const metaDir = (id: string) => join(deps.home, 'worktrees', id);
  const readMeta = (id: string): { setup: SetupResult | null; copiedFiles: string[]; skippedFiles?: SkippedInclude[]; sessionId: string | null } => {
    try {
      return JSON.parse(readFileSync(join(metaDir(id), 'meta.json'), 'utf8'));
    } catch {
      // No metadata written (yet): nothing was copied and no setup ran.
      return { setup: null, copiedFiles: [], sessionId: null };
    }
  };
  const writeMeta = (id: string, meta: ReturnType<typeof readMeta>) => {
    mkdirSync(metaDir(id), { recursive: true, mode: 0o700 });
    writeFileSync(join(metaDir(id), 'meta.json'), JSON.stringify(meta), { mode: 0o600 });
  };
  const toWorktree = (row: Row): Worktree => {
    const meta = readMeta(row.id);
    return {
      id: row.id,
      repoPath: row.repoPath,
      path: row.path,
      branch: row.branch,
      base: row.base,
      status: row.status as Worktree['status'],
      sessionId: meta.sessionId,
      setup: meta.setup,
      copiedFiles: meta.copiedFiles,
      skippedFiles: meta.skippedFiles ?? [],
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  };
  const row = (userId: string, id: string): Row => {
    const r = db.select().from(schema.worktrees).where(and(eq(schema.worktrees.id, id), eq(schema.worktrees.userId, userId))).get();
    if (!r) throw new AppError('not_found', `worktree ${id} not found`);
    return r;
  };
  const setStatus = (id: string, status: string, path?: string) =>
    db.update(schema.worktrees).set({ status, updatedAt: new Date(), ...(path ? { path } : {}) }).where(eq(schema.worktrees.id, id)).run();
  const trash = createWorktreeTrash({ db, log, home: deps.home, retentionDays: deps.trashRetentionDays, row, setStatus, withLock });
  const rootFor = (repo: string) => (deps.root ? join(deps.root, basename(repo)) : `${repo}-worktrees`);

  const service: WorktreeService = {
    async create(userId, input, sessionId = null) {
      let repo: string;
      if (input.repositoryId) {
        if (!deps.repositories) throw new AppError('unavailable', 'cloned repositories are not enabled on this server');
        repo = await deps.repositories.prepareWorktree(userId, input.repositoryId);
      } else {
        repo = await repoRoot(input.repoPath!);
      }
      await validateBranchName(input.branch, repo);
      if (input.base) await validateBranchName(input.base.replace(/^origin\//, ''), repo);
      return withLock(repo, async () => {
        const base = input.base ?? (await defaultBranch(repo));
        const root = rootFor(repo);
        const path = worktreePathFor(root, input.branch);
        mkdirSync(dirname(path), { recursive: true });
        const outcome = await addWorktree(repo, input.branch, base, path);
        if (!outcome.ok) {
          throw new AppError(
            'conflict',
            outcome.reason === 'checked_out'
              ? `branch ${input.branch} is already checked out at ${outcome.path}`
              : `${outcome.path} already exists; remove it or pick another branch`,
          );
        }
        const id = randomUUID();
        const fail = async (message: string, cause?: unknown): Promise<never> => {
          await removeGitWorktree(repo, path, base, true).catch(() => undefined);
          if (outcome.source === 'new') await gitOrNull(repo, ['branch', '-D', '--', input.branch]);
          rmSync(metaDir(id), { recursive: true, force: true });
          throw new AppError('conflict', message, { cause });
        };
        let copiedFiles: string[];
        let skippedFiles: SkippedInclude[];
        try {
          ({ copied: copiedFiles, skipped: skippedFiles } = copyIncludes(repo, path));
          if (skippedFiles.length) log.warn({ path, skipped: skippedFiles }, 'some ignored files were not copied into the worktree');
        } catch (err) {
          return fail(`copying ignored files into the worktree failed: ${(err as Error).message}`, err);
        }
        const setup = await runSetup(repo, path);
        if (setup && setup.exitCode !== 0) {
          return fail(`the setup command (${setup.command}) failed with exit ${setup.exitCode ?? 'timeout'}; nothing was kept. Output:\n${setup.output.slice(-2000)}`);
        }
        const at = new Date();
        const inserted = db
          .insert(schema.worktrees)
          .values({ id, userId, repoPath: repo, path, branch: input.branch, base: outcome.base, status: 'active', createdAt: at, updatedAt: at })
          .returning()
          .get();
        writeMeta(id, { setup, copiedFiles, skippedFiles, sessionId });
        log.info({ worktreeId: id, path, source: outcome.source }, 'worktree created');
        return toWorktree(inserted);
      });
    },
    get: (userId, id) => toWorktree(row(userId, id)),
    findByPath(userId, path) {
      const r = db.select().from(schema.worktrees).where(and(eq(schema.worktrees.userId, userId), eq(schema.worktrees.path, path))).get();
      if (!r) throw new AppError('not_found', `no worktree of yours at ${path}`);
      return toWorktree(r);
    },
    list(userId, filter = {}) {
      const status = filter.status ?? 'active';
      return db
        .select()
        .from(schema.worktrees)
        .where(
          and(
            eq(schema.worktrees.userId, userId),
            status === 'all' ? undefined : eq(schema.worktrees.status, status),
            filter.repoPath ? eq(schema.worktrees.repoPath, filter.repoPath) : undefined,
          ),
        )
        .all()
        .map(toWorktree);
    },
    status: (_userId, wt) => worktreeStatus(wt.path, wt.base),
    attachSession(id, sessionId) {
      writeMeta(id, { ...readMeta(id), sessionId });
    },
    async remove(userId, id, force) {
      const r = row(userId, id);
      if (r.status === 'removed') return toWorktree(r);
      if (r.status === 'trashed') throw new AppError('conflict', 'this worktree is in the trash; restore it or empty the trash');
      await withLock(r.repoPath, () => removeGitWorktree(r.repoPath, r.path, r.base, force));
      setStatus(id, 'removed');
      log.info({ worktreeId: id, force }, 'worktree removed');
      return toWorktree(row(userId, id));
    },
    async discard(userId, id) {
      const r = row(userId, id);
      await withLock(r.repoPath, async () => {
        await removeGitWorktree(r.repoPath, r.path, r.base, true);
        const created = (await gitOrNull(r.repoPath, ['reflog', 'show', '--format=%H', `refs/heads/${r.branch}`]))?.split('\n').filter(Boolean).length === 1;
        if (created) await gitOrNull(r.repoPath, ['branch', '-D', '--', r.branch]);
      });
      db.delete(schema.worktrees).where(eq(schema.worktrees.id, id)).run();
      rmSync(metaDir(id), { recursive: true, force: true });
    },
    async cleanup(userId, options) {
      const staleMs = (options.staleDays ?? deps.staleDays) * DAY_MS;
      const rows = service.list(userId, { repoPath: options.repoPath });
      const openSessions = new Set(
        db
          .select({ id: schema.sessions.worktreeId })
          .from(schema.sessions)
          .where(and(eq(schema.sessions.userId, userId), inArray(schema.sessions.status, ['active', 'suspended'])))
          .all()
          .map((s) => s.id),
      );
      const out: CleanupCandidate[] = [];
      for (const wt of rows) {
        const st = await worktreeStatus(wt.path, wt.base, { diskUsage: false });
        const reasons: CleanupCandidate['reasons'] = [];
        if (!st.exists) reasons.push('missing');
        if (st.merged) reasons.push('merged');
        const last = st.lastCommitAt ? Date.parse(st.lastCommitAt) : Date.parse(wt.createdAt);
        if (st.exists && Date.now() - Math.max(last, Date.parse(wt.createdAt)) > staleMs) reasons.push('stale');
        if (!openSessions.has(wt.id)) reasons.push('orphaned');
        if (!reasons.length) continue;
        const blockers = st.exists ? removalBlockers(st) : [];
        let removed = false;
        if (options.remove && !blockers.length && !openSessions.has(wt.id)) {
          await service.remove(userId, wt.id, false);
          removed = true;
        }
        out.push({ id: wt.id, path: wt.path, branch: wt.branch, reasons, blockers, removed });
      }
      // Directories git still lists but that are gone: prune git's records.
      for (const repo of new Set(rows.map((r) => r.repoPath))) {
        for (const g of await listGitWorktrees(repo).catch(() => [])) {
          if (g.prunable && !out.some((c) => c.path === g.path)) {
            out.push({ id: null, path: g.path, branch: g.branch, reasons: ['missing'], blockers: [], removed: options.remove });
          }
        }
        if (options.remove) await git(repo, ['worktree', 'prune']).catch(() => undefined);
      }
      return out;
    },
    ...trash,
  };

  return service;
}
