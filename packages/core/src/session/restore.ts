import { statSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import type { Agent, RestorePlanItem, RestorePolicy, Session } from '../schemas/index.js';
import { sweepLostSessionProcesses, type Tmux } from '../tmux/index.js';
import { launchSession, type LaunchDeps } from './launch.js';
import { agentIdFromLog, resumeLine } from './resume.js';
import { openNameTaken, type SessionRow } from './rows.js';

/**
 * Lost sessions: their tmux session vanished without their shell exiting (a reboot, a
 * killed tmux server), so their work was interrupted, not finished. Before any comes back,
 * what is left of their processes is ended (an agent must never run twice in one
 * worktree); then each returns in its cwd with its environment: an agent resuming its own
 * conversation when its id is known (from its hooks, else from its exit text in the log),
 * else its command run again; a shell as a new shell, its log continuing.
 */

export interface RestorerDeps {
  db: Db;
  tmux: Tmux;
  log: Logger;
  launch: LaunchDeps;
  /** Which lost sessions come back by themselves. */
  policy: RestorePolicy;
  /** How long leftover processes get after SIGTERM before SIGKILL. */
  stopTimeoutMs: number;
  /** A session's output folder (live or trashed), or null. */
  locate: (sessionId: string) => string | null;
  /** Sessions being started or closed right now (spared by the sweep). */
  busy: Set<string>;
  /** Writes a session row and announces it. */
  update(id: string, set: Partial<SessionRow>, event: 'session.updated' | 'session.closed' | 'session.restored'): Session;
}

export interface Restorer {
  /** How `r` would come back; `forced` ignores `[sessions] restore` (the user asked). */
  plan(r: SessionRow, forced: boolean): RestorePlanItem;
  /** Starts `r` again as planned; on failure the item says why. */
  bringBack(r: SessionRow, item: RestorePlanItem): Promise<RestorePlanItem>;
  /** Marks `r` lost: closed, without an exit code, restorable by hand later. */
  markLost(r: SessionRow): void;
  /** Ends the processes of sessions whose tmux session is gone (this rdv's only). */
  sweep(): Promise<void>;
  /** Handles sessions found lost: sweeps, then restores (when `auto`) or marks them lost. Returns the ids restored. */
  handleLost(rows: SessionRow[], auto: boolean): Promise<string[]>;
}

const isDir = (path: string) => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

export function createRestorer(deps: RestorerDeps): Restorer {
  const { db, tmux, log, busy } = deps;

  const how = (r: SessionRow): Pick<RestorePlanItem, 'action' | 'command' | 'agentSessionId' | 'idSource'> => {
    if (r.kind !== 'agent' || !r.command) return { action: 'shell', command: null, agentSessionId: null, idSource: null };
    const fromHooks = r.agentSessionId && resumeLine(r.agent, r.command, r.agentSessionId) ? r.agentSessionId : null;
    let id = fromHooks;
    if (!id) {
      try {
        id = agentIdFromLog(r.agent, deps.locate(r.id));
      } catch (err) {
        // An unreadable log only means no id from it: the command runs again.
        log.warn({ err, sessionId: r.id }, 'could not read the log for the agent id');
      }
    }
    const line = id ? resumeLine(r.agent, r.command, id) : null;
    if (!id || !line) return { action: 'rerun', command: r.command, agentSessionId: null, idSource: null };
    return { action: 'resume', command: line, agentSessionId: id, idSource: fromHooks ? 'hooks' : 'log' };
  };

  const whyNot = (r: SessionRow, forced: boolean): string | null => {
    if (!forced && deps.policy === 'off') return 'restore is off ([sessions] restore = "off")';
    if (!forced && deps.policy === 'agents' && r.kind !== 'agent') return 'only agents come back ([sessions] restore = "agents")';
    if (!isDir(r.cwd)) return `its directory ${r.cwd} is gone`;
    if (openNameTaken(db, r.userId, r.name, r.id)) return `another open session is named "${r.name}"; rename one`;
    return null;
  };

  const restorer: Restorer = {
    plan(r, forced) {
      const reason = whyNot(r, forced);
      return {
        sessionId: r.id,
        name: r.name,
        kind: r.kind,
        agent: (r.agent as Agent | null) ?? null,
        cwd: r.cwd,
        ...how(r),
        restored: reason === null,
        reason,
      };
    },
    async bringBack(r, item) {
      if (!item.restored) return item;
      busy.add(r.id);
      try {
        // Only a resume differs from the session's own command line (which a rerun types as a new start does).
        await launchSession(deps.launch, r, undefined, item.action === 'resume' ? item.command : null);
        const at = new Date();
        deps.update(
          r.id,
          {
            status: r.status === 'suspended' ? 'suspended' : 'active',
            closedAt: null,
            exitCode: null,
            lostAt: null,
            restoredAt: at,
            lastActivityAt: at,
            agentSessionId: item.agentSessionId ?? r.agentSessionId,
          },
          'session.restored',
        );
        log.info({ sessionId: r.id, action: item.action, idSource: item.idSource }, 'lost session restored');
        return item;
      } catch (err) {
        await tmux.killSession(r.tmuxName).catch(() => false);
        const message = err instanceof AppError ? err.message : String(err);
        log.warn({ err, sessionId: r.id }, 'could not restore a lost session');
        return { ...item, restored: false, reason: `could not start it: ${message}` };
      } finally {
        busy.delete(r.id);
      }
    },
    markLost(r) {
      if (r.status === 'closed' && r.lostAt) return;
      const at = new Date();
      deps.update(r.id, { status: 'closed', closedAt: at, exitCode: null, lostAt: at }, 'session.closed');
    },
    async sweep() {
      await sweepLostSessionProcesses({
        markers: { RDV_API_SOCKET: deps.launch.apiSocket },
        idVariable: 'RDV_SESSION_ID',
        liveSessionIds: async () => {
          const live = (await tmux.listSessions()).filter((s) => s.name.startsWith('rdv-')).map((s) => s.name.slice(4));
          return new Set([...live, ...busy]);
        },
        timeoutMs: deps.stopTimeoutMs,
        log,
      });
    },
    async handleLost(rows, auto) {
      try {
        await restorer.sweep();
      } catch (err) {
        // Restoring anyway could run an agent twice; mark them lost and let the user decide.
        log.error({ err }, 'could not end the processes of lost sessions; not restoring them');
        auto = false;
      }
      const restored: string[] = [];
      for (const r of rows) {
        const item = auto ? restorer.plan(r, false) : null;
        if (item && !item.restored) log.info({ sessionId: r.id, reason: item.reason }, 'lost session not restored');
        const done = item?.restored ? await restorer.bringBack(r, item) : null;
        if (done?.restored) restored.push(r.id);
        else restorer.markLost(r);
      }
      return restored;
    },
  };
  return restorer;
}
