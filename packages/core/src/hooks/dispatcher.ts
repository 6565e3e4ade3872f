import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { and, eq, inArray } from 'drizzle-orm';
import { writeAudit } from '../auth/index.js';
import { sanitizedEnv } from '../config/index.js';
import { schema, type Db } from '../db/index.js';
import type { EventBus } from '../events/index.js';
import type { FolderService } from '../folder/index.js';
import type { Logger } from '../log/index.js';
import type { HookEvent, HookRun, RdvEvent } from '../schemas/index.js';
import { runCommand } from './run.js';
import { toRun } from './store.js';

/**
 * What a bus event means for folder hooks: which session, which hook event, what else to
 * tell. An insight that opens, or changes what it is about (an agent asking for permission
 * that then finishes its turn updates one insight), is an attention event.
 */
export function hookEventOf(event: RdvEvent): { sessionId: string; event: HookEvent; detail: Record<string, unknown>; insightId?: string } | null {
  const data = event.data as { session?: { id?: string }; insight?: { id?: string; sessionId?: string; type?: string; context?: { reason?: unknown } } };
  if (event.type === 'session.created' && data.session?.id) return { sessionId: data.session.id, event: 'created', detail: {} };
  if (event.type === 'session.closed' && data.session?.id) return { sessionId: data.session.id, event: 'closed', detail: {} };
  if ((event.type !== 'insight.created' && event.type !== 'insight.updated') || !data.insight?.sessionId) return null;
  const insight = data.insight;
  const detail = { insight };
  const insightId = insight.id;
  if (insight.type === 'stalled') return { sessionId: insight.sessionId!, event: 'stalled', detail, insightId };
  if (insight.type !== 'waiting_input') return null;
  // An agent back at its prompt, ready for the next one, has finished its turn; any other wait is for a person.
  const finished = insight.context?.reason === 'ready';
  return { sessionId: insight.sessionId!, event: finished ? 'turn_finished' : 'waiting_for_input', detail, insightId };
}

export interface HookDispatcherDeps {
  db: Db;
  events: EventBus;
  folders: FolderService;
  log: Logger;
  /** Given to hooks as RDV_API_SOCKET, so `rdv` in a hook reaches this rdv. */
  apiSocket: string;
}

export interface HookDispatcher {
  /** Runs the hooks of a session's folder chain for `event` now (also what the bus triggers); resolves with the runs. */
  fire(userId: string, sessionId: string, event: HookEvent, detail?: Record<string, unknown>): Promise<HookRun[]>;
  /** Resolves when every run started so far has finished. */
  idle(): Promise<void>;
  /** Stops listening and ends the hooks still running. Idempotent. */
  dispose(): void;
}

/**
 * Listens to every user's events and runs the matching folder hooks: one session's runs
 * one after another in event order, each audited (`hook.run`) and kept in hook_runs.
 */
export function createHookDispatcher(deps: HookDispatcherDeps): HookDispatcher {
  const { db, folders, log } = deps;
  const queues = new Map<string, Promise<unknown>>();
  const stopping = new AbortController();
  let disposed = false;

  const runAll = async (userId: string, sessionId: string, event: HookEvent, detail: Record<string, unknown>): Promise<HookRun[]> => {
    const s = db.select().from(schema.sessions).where(and(eq(schema.sessions.id, sessionId), eq(schema.sessions.userId, userId))).get();
    if (!s?.folderId) return [];
    let chain: string[];
    try {
      chain = [...folders.ancestors(userId, s.folderId), folders.get(userId, s.folderId)].map((f) => f.id);
    } catch {
      return []; // The folder went away meanwhile: no hooks to run.
    }
    const hooks = db
      .select()
      .from(schema.folderHooks)
      .where(and(eq(schema.folderHooks.userId, userId), inArray(schema.folderHooks.folderId, chain), eq(schema.folderHooks.enabled, true)))
      .all()
      .filter((h) => (h.events as string[]).includes(event))
      .sort((a, b) => chain.indexOf(a.folderId) - chain.indexOf(b.folderId));
    const runs: HookRun[] = [];
    // A closed worktree session's directory may be in the trash: run in the home directory then.
    const cwd = existsSync(s.cwd) ? s.cwd : homedir();
    for (const hook of hooks) {
      if (disposed) break;
      const session = { id: s.id, name: s.name, kind: s.kind, agent: s.agent, cwd: s.cwd, folderId: s.folderId, status: s.status };
      const payload = { event, at: new Date().toISOString(), hook: { id: hook.id, name: hook.name, folderId: hook.folderId }, session, ...detail };
      const startedAt = new Date();
      const result = await runCommand({
        argv: hook.argv,
        cwd,
        env: { ...sanitizedEnv(), ...(s.env ?? {}), RDV_SESSION_ID: s.id, RDV_API_SOCKET: deps.apiSocket, RDV_HOOK_EVENT: event },
        stdin: `${JSON.stringify(payload)}\n`,
        timeoutMs: hook.timeoutMs,
        signal: stopping.signal,
      });
      const row = db
        .insert(schema.hookRuns)
        .values({ id: randomUUID(), hookId: hook.id, userId, sessionId: s.id, event, ...result, startedAt })
        .returning()
        .get();
      const ok = result.exitCode === 0 && !result.timedOut;
      writeAudit(db, {
        action: 'hook.run',
        outcome: ok ? 'ok' : 'error',
        userId,
        target: hook.id,
        detail: { sessionId: s.id, event, argv0: hook.argv[0], exitCode: result.exitCode, timedOut: result.timedOut, error: result.error, durationMs: result.durationMs },
      });
      log.info({ hookId: hook.id, sessionId: s.id, event, exitCode: result.exitCode, timedOut: result.timedOut }, 'folder hook ran');
      runs.push(toRun(row));
    }
    return runs;
  };

  const fire: HookDispatcher['fire'] = (userId, sessionId, event, detail = {}) => {
    const previous = queues.get(sessionId) ?? Promise.resolve();
    const next = previous.then(() => runAll(userId, sessionId, event, detail));
    const settled = next.catch((err: unknown) => {
      log.error({ err, sessionId, event }, 'folder hooks failed');
      return [];
    });
    queues.set(sessionId, settled);
    void settled.then(() => {
      if (queues.get(sessionId) === settled) queues.delete(sessionId);
    });
    return next;
  };

  // The hook event each open insight last stood for: an update that says the same again runs nothing.
  const insightEvents = new Map<string, HookEvent>();
  const unsubscribe = deps.events.subscribeAll((userId, e) => {
    if (e.type === 'insight.resolved') {
      const id = (e.data as { insight?: { id?: string } }).insight?.id;
      if (id) insightEvents.delete(id);
      return;
    }
    const what = hookEventOf(e);
    if (what?.insightId) {
      if (insightEvents.get(what.insightId) === what.event) return;
      insightEvents.set(what.insightId, what.event);
    }
    // Runs go on in the background; failures are logged by fire's queue.
    if (what && !disposed) void fire(userId, what.sessionId, what.event, what.detail).catch(() => {});
  });

  return {
    fire,
    idle: async () => {
      while (queues.size) await Promise.all([...queues.values()]);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      unsubscribe();
      // Hooks still running are ended with their process groups; their runs are still kept.
      stopping.abort();
    },
  };
}
