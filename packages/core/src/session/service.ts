import { randomUUID } from 'node:crypto';
import { and, asc, count, eq, inArray, max } from 'drizzle-orm';
import type { Logger } from 'pino';
import { AppError } from '../errors/index.js';
import { schema, type Db } from '../db/index.js';
import type { EventBus } from '../events/index.js';
import type { FolderService } from '../folder/index.js';
import type { SessionIdentities } from '../identity/index.js';
import type { OutputPage, ReadOutputOptions } from '../output/index.js';
import {
  IdSchema,
  type CreateSession,
  type EffectivePreferences,
  type RestorePolicy,
  type RestoreRequest,
  type RestoreResult,
  type Session,
  type SessionStatus,
} from '../schemas/index.js';
import type { KeyTyper, Tmux } from '../tmux/index.js';
import type { WorktreeService } from '../worktree/index.js';
import { requireInstalled, resolveAgent } from './agents.js';
import { removeAgentHooks, type AgentHookConfig } from './agent-hooks.js';
import { createSessionContinuity, type SessionEvent } from './continuity.js';
import { checkCwd, launchSession, sessionShell, type LaunchDeps } from './launch.js';
import { createSessionOutput, type SessionOutputConfig } from './output.js';
import type { ReconcileResult } from './reconcile.js';
import { openNameTaken, OPEN_STATUSES, sessionRow, tmuxNameFor, toSession, type SessionRow } from './rows.js';

export interface SessionServiceDeps {
  db: Db;
  tmux: Tmux;
  folders: FolderService;
  events: EventBus;
  log: Logger;
  /** Shell to start (argv[0]); empty means tmux's default (the login shell of $SHELL). */
  shell: string;
  /** Fallback cwd when neither the request nor preferences give one. */
  defaultCwd: string;
  /** Put into every session's environment as RDV_API_SOCKET. */
  apiSocket: string;
  /** Enables `worktree` on create, and trash on close of worktree sessions. */
  worktrees?: WorktreeService;
  /**
   * Where each session's shell leaves its exit status (see exit-status.ts); the
   * `exitCode` of a session that ended on its own. Without it, no status is kept.
   */
  exitStatusDir?: string;
  /** Agents start with rdv's hooks (agent-hooks.ts); without it, only their screens tell. */
  agentHooks?: AgentHookConfig | null;
  /** The folder's knowledge a new agent session is started with (see startup-knowledge.ts). */
  startupKnowledge?: LaunchDeps['startupKnowledge'];
  /** Each session's output log (rotated, moved with the trash); without it, no output is kept. */
  output?: SessionOutputConfig;
  /** Closing: how long a session's processes get after SIGTERM before SIGKILL (default 5 s). */
  stopTimeoutMs?: number;
  /** Which lost sessions come back by themselves (`[sessions] restore`, default "all"). */
  restore?: RestorePolicy;
  /** Types `exec`'s command lines without a tmux process each (see createKeyTyper); without it, tmux is spawned. */
  typer?: KeyTyper;
  /** Git identities: a worktree session's author and its own ssh-agent (core/identity). */
  identities?: SessionIdentities;
}

export type { ReconcileResult };

export type ListStatus = SessionStatus | 'open' | 'all';

export interface SessionService {
  create(userId: string, input: CreateSession): Promise<Session>;
  get(userId: string, id: string): Session;
  /** By id, or by name among the user's open sessions (then any, newest first). */
  find(userId: string, ref: string): Session;
  list(userId: string, filter?: { status?: ListStatus; folderId?: string }): Session[];
  rename(userId: string, id: string, name: string): Session;
  move(userId: string, id: string, folderId: string | null): Session;
  reorder(userId: string, ids: string[]): Session[];
  suspend(userId: string, id: string): Session;
  resume(userId: string, id: string): Promise<Session>;
  /**
   * Ends the session's processes (SIGTERM, then SIGKILL after `stopTimeoutMs`), kills its
   * tmux session and marks it closed. A worktree session's worktree and output log move
   * to the trash (status "trashed") instead; nothing is deleted. Idempotent; a lost
   * session closed by its user stays ended.
   */
  close(userId: string, id: string): Promise<Session>;
  /** Brings a trashed worktree session back: the worktree and its log return and a new tmux session starts in it. */
  restore(userId: string, trashId: string): Promise<Session | null>;
  /**
   * Lost sessions (tmux session gone, shell never exited) brought back by hand, or with
   * `dryRun` only what would come back. Ignores `[sessions] restore`: the user asks.
   */
  restoreLost(userId: string, request: RestoreRequest): Promise<RestoreResult>;
  /** A page of the session's output log; works for closed and trashed sessions too. */
  readOutput(userId: string, id: string, options: ReadOutputOptions): OutputPage;
  /** The session's output folder (live or in the trash), or null (for the indexer and search). */
  locateOutput(sessionId: string): string | null;
  /**
   * Keeps the agent's own id for its conversation (from its hooks), announced as
   * session.updated when it changes. Returns the session.
   */
  noteAgentSession(userId: string, id: string, agentSessionId: string): Session;
  /** Types a command line into the session, then Enter. */
  exec(userId: string, id: string, command: string): Promise<void>;
  scrollback(userId: string, id: string, lines: number): Promise<{ sessionId: string; lines: number; text: string }>;
  /**
   * Lines session rows up with tmux. Sessions whose shell exited are closed; lost ones are
   * restored (per `[sessions] restore`) when `atStart` or when tmux's server is gone, else
   * marked lost. At start, live sessions that do not log yet start logging.
   */
  reconcile(options?: { atStart?: boolean }): Promise<ReconcileResult>;
  countOpen(): number;
}

export function createSessionService(deps: SessionServiceDeps): SessionService {
  const { db, tmux, folders, events, log } = deps;

  const row = (userId: string, id: string): SessionRow => sessionRow(db, userId, id);
  const cwdFor = (input: CreateSession, prefs: EffectivePreferences) => input.cwd ?? prefs.defaultCwd ?? deps.defaultCwd;

  const update = (id: string, set: Partial<SessionRow>, event: SessionEvent = 'session.updated') => {
    if (event === 'session.closed') {
      // An ended session's hook credential and hook files go with it.
      set = { ...set, hookTokenHash: null };
      if (deps.agentHooks) removeAgentHooks(deps.agentHooks.runDir, id);
      // Its key leaves memory with it; a failure to stop is logged, the close goes on.
      deps.identities?.stopAgent(id).catch((err: unknown) => log.warn({ err, sessionId: id }, 'could not stop the session ssh-agent'));
    }
    const r = db
      .update(schema.sessions)
      .set({ ...set, updatedAt: new Date() })
      .where(eq(schema.sessions.id, id))
      .returning()
      .get();
    const session = toSession(r);
    events.publish(r.userId, event, { session });
    return session;
  };

  const requireOpen = (r: SessionRow, action: string) => {
    if (r.status === 'suspended') throw new AppError('conflict', `session ${r.name} is suspended; resume it to ${action}`);
    if (r.status !== 'active') throw new AppError('conflict', `session ${r.name} is ${r.status}; cannot ${action}`);
  };

  const nameTaken = (userId: string, name: string, exceptId?: string) => openNameTaken(db, userId, name, exceptId);
  const output = deps.output ? createSessionOutput(deps.output, { db, tmux, log }) : null;
  const launchDeps: LaunchDeps = {
    ...deps,
    output: deps.output,
    sshAgent: deps.identities
      ? (r) =>
          deps.identities!.ensureAgent({ id: r.id, userId: r.userId, identityId: r.identityId! }).catch((err: unknown) => {
            // Its identity was deleted, or ssh-agent is missing: the session starts without one rather than not at all.
            log.warn({ err: (err as Error).message, sessionId: r.id }, 'the session starts without its ssh-agent');
            return null;
          })
      : undefined,
  };
  /** Sessions being started or closed: reconcile leaves them alone, the sweep spares them. */
  const busy = new Set<string>();
  const startTmux = async (r: SessionRow, size?: { cols?: number; rows?: number }) => {
    busy.add(r.id);
    try {
      await launchSession(launchDeps, r, size);
    } finally {
      busy.delete(r.id);
    }
  };
  const continuity = createSessionContinuity({ ...deps, output, launchDeps, busy, row, update, nameTaken, startTmux });

  const service: SessionService = {
    async create(userId, input) {
      const folderId = input.folderId ?? null;
      if (folderId) folders.get(userId, folderId);
      const prefs = folders.effectivePreferences(userId, folderId);
      if (input.worktree && !deps.worktrees) throw new AppError('unavailable', 'worktrees are not enabled on this server');
      if (!input.worktree) checkCwd(cwdFor(input, prefs));
      const { agent, command } = input.kind === 'agent' ? resolveAgent(input, prefs.defaultAgent) : { agent: null, command: null };
      if (command) {
        const env = { ...tmux.env, ...prefs.env, ...(input.env ?? {}) };
        await requireInstalled(command, { env, shell: sessionShell(deps.shell, env), cwd: input.worktree ? undefined : cwdFor(input, prefs) });
      }
      if (nameTaken(userId, input.name)) {
        throw new AppError('conflict', `a session named "${input.name}" is already open; pick another name`);
      }
      const id = randomUUID();
      if (input.identityId && !deps.identities) throw new AppError('unavailable', 'git identities are not enabled on this server');
      const identityId =
        deps.identities && (input.worktree || input.identityId)
          ? deps.identities.resolve(userId, { identityId: input.identityId, folderId, repositoryId: input.worktree?.repositoryId })
          : null;
      const worktree = input.worktree ? await deps.worktrees!.create(userId, input.worktree, id) : null;
      if (worktree && identityId) {
        try {
          await deps.identities!.configureWorktree(userId, identityId, worktree, id);
        } catch (err) {
          await deps.worktrees!.discard(userId, worktree.id).catch((e: unknown) => log.warn({ err: e }, 'could not discard the worktree'));
          throw err;
        }
      }
      const cwd = worktree?.path ?? cwdFor(input, prefs);
      const at = new Date();
      const maxPos = db
        .select({ m: max(schema.sessions.position) })
        .from(schema.sessions)
        .where(eq(schema.sessions.userId, userId))
        .get();
      const inserted = db
        .insert(schema.sessions)
        .values({
          id,
          userId,
          folderId,
          name: input.name,
          tmuxName: tmuxNameFor(id),
          kind: input.kind,
          agent,
          command,
          cwd,
          worktreeId: worktree?.id ?? null,
          identityId,
          env: { ...prefs.env, ...(input.env ?? {}) },
          status: 'active',
          position: (maxPos?.m ?? -1) + 1,
          createdAt: at,
          updatedAt: at,
          lastActivityAt: at,
        })
        .returning()
        .get();
      try {
        await startTmux(inserted, input);
      } catch (err) {
        db.delete(schema.sessions).where(eq(schema.sessions.id, id)).run();
        await tmux.killSession(inserted.tmuxName).catch(() => false);
        if (worktree) await deps.worktrees!.discard(userId, worktree.id).catch((e: unknown) => log.warn({ err: e }, 'could not discard the worktree'));
        throw err;
      }
      const session = toSession(inserted);
      log.info({ sessionId: id, kind: input.kind, agent }, 'session created');
      events.publish(userId, 'session.created', { session });
      return session;
    },
    get: (userId, id) => toSession(row(userId, id)),
    find(userId, ref) {
      if (IdSchema.safeParse(ref).success) return service.get(userId, ref);
      const matches = db
        .select()
        .from(schema.sessions)
        .where(and(eq(schema.sessions.userId, userId), eq(schema.sessions.name, ref)))
        .all()
        .sort((a, b) => Number(OPEN_STATUSES.includes(b.status)) - Number(OPEN_STATUSES.includes(a.status)) || b.createdAt.getTime() - a.createdAt.getTime());
      if (!matches[0]) throw new AppError('not_found', `session ${ref} not found`);
      return toSession(matches[0]);
    },
    list(userId, filter = {}) {
      const status = filter.status ?? 'open';
      const statusCond =
        status === 'all' ? undefined : status === 'open' ? inArray(schema.sessions.status, OPEN_STATUSES) : eq(schema.sessions.status, status);
      return db
        .select()
        .from(schema.sessions)
        .where(and(eq(schema.sessions.userId, userId), statusCond, filter.folderId ? eq(schema.sessions.folderId, filter.folderId) : undefined))
        .orderBy(asc(schema.sessions.position), asc(schema.sessions.createdAt))
        .all()
        .map(toSession);
    },
    rename(userId, id, name) {
      const r = row(userId, id);
      if (r.name === name) return toSession(r);
      if (OPEN_STATUSES.includes(r.status) && nameTaken(userId, name, id)) {
        throw new AppError('conflict', `a session named "${name}" is already open; pick another name`);
      }
      return update(id, { name });
    },
    move(userId, id, folderId) {
      row(userId, id);
      if (folderId) folders.get(userId, folderId);
      return update(id, { folderId });
    },
    reorder(userId, ids) {
      const owned = db
        .select({ id: schema.sessions.id })
        .from(schema.sessions)
        .where(and(eq(schema.sessions.userId, userId), inArray(schema.sessions.id, ids)))
        .all();
      if (owned.length !== ids.length) {
        const known = new Set(owned.map((o) => o.id));
        throw new AppError('not_found', `session(s) not found: ${ids.filter((i) => !known.has(i)).join(', ')}`);
      }
      db.transaction((tx) => {
        ids.forEach((sid, position) => {
          tx.update(schema.sessions).set({ position, updatedAt: new Date() }).where(eq(schema.sessions.id, sid)).run();
        });
      });
      events.publish(userId, 'session.updated', { reordered: ids });
      return service.list(userId);
    },
    suspend(userId, id) {
      const r = row(userId, id);
      if (r.status === 'suspended') return toSession(r);
      if (r.status !== 'active') throw new AppError('conflict', `session ${r.name} is ${r.status}; only an active session can be suspended`);
      return update(id, { status: 'suspended' });
    },
    async resume(userId, id) {
      const r = row(userId, id);
      if (r.status === 'active') return toSession(r);
      if (r.status !== 'suspended') throw new AppError('conflict', `session ${r.name} is ${r.status}; only a suspended session can be resumed`);
      if (!(await tmux.hasSession(r.tmuxName))) {
        log.info({ sessionId: id }, 'tmux session gone while suspended; starting a new one');
        await startTmux(r);
      }
      return update(id, { status: 'active', lastActivityAt: new Date() });
    },
    close: (userId, id) => continuity.close(userId, id),
    restore: (userId, trashId) => continuity.fromTrash(userId, trashId),
    restoreLost: (userId, request) => continuity.restoreLost(userId, request),
    readOutput(userId, id, options) {
      const r = row(userId, id);
      if (!output) throw new AppError('unavailable', 'output logs are not kept on this server');
      return output.read(r.id, options);
    },
    locateOutput: (sessionId) => output?.locate(sessionId) ?? null,
    noteAgentSession(userId, id, agentSessionId) {
      const r = row(userId, id);
      if (r.agentSessionId === agentSessionId) return toSession(r);
      return update(id, { agentSessionId });
    },
    async exec(userId, id, command) {
      const r = row(userId, id);
      requireOpen(r, 'run a command');
      try {
        if (deps.typer) await deps.typer.type(r.tmuxName, command, ['Enter']);
        else await tmux.sendLiteral(r.tmuxName, command, { thenKeys: ['Enter'] });
      } catch (err) {
        if (err instanceof AppError && err.code === 'not_found') {
          await service.reconcile();
          throw new AppError('conflict', `session ${r.name} has ended`);
        }
        throw err;
      }
      // Activity is shown to the second: a burst of commands writes it once, not once each.
      const at = new Date();
      if (!r.lastActivityAt || at.getTime() - r.lastActivityAt.getTime() >= 1000) {
        db.update(schema.sessions).set({ lastActivityAt: at }).where(eq(schema.sessions.id, id)).run();
      }
    },
    async scrollback(userId, id, lines) {
      const r = row(userId, id);
      if (r.status === 'closed' || r.status === 'trashed') {
        throw new AppError('conflict', `session ${r.name} is ${r.status}; its scrollback is gone with its tmux session`);
      }
      const text = await tmux.capturePane(r.tmuxName, { historyLines: lines });
      return { sessionId: id, lines: text ? text.replace(/\n$/, '').split('\n').length : 0, text };
    },
    reconcile: (options) => continuity.reconcile(options),
    countOpen() {
      return db.select({ n: count() }).from(schema.sessions).where(inArray(schema.sessions.status, OPEN_STATUSES)).get()?.n ?? 0;
    },
  };
  return service;
}
