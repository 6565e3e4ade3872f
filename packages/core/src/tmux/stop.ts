import type { Logger } from 'pino';
import { AppError } from '../errors/index.js';
import type { Tmux } from './tmux.js';
import { ancestors, descendants, isDead, listOwnProcs, readEnviron, readProc, type ProcInfo } from './procs.js';

/**
 * Ending a session's processes, and only those. A pane's program runs under rdv's
 * exit-status wrapper, which is the pty's controlling process: when tmux goes, the
 * kernel's hangup reaches the wrapper and the foreground job, not the shell, so a shell
 * running a loop keeps running, reparented to init. So processes are found three ways:
 * below each pane's pid, in the pane's kernel session (sid = pane pid), and by markers
 * in their environment (what tmux gave the session: RDV_SESSION_ID, RDV_API_SOCKET),
 * which still name them after the tmux server is gone.
 */

const POLL_MS = 50;
/** After the KILL of everything else, how long a waited-for pane process gets to exit by itself. */
const PANE_EXIT_MS = 1000;

export interface TerminateOptions {
  /** How long processes get to end after SIGTERM/SIGHUP before SIGKILL. */
  timeoutMs: number;
  /** Pids never signalled (besides this process and its ancestors, always spared). */
  protect?: Iterable<number>;
  log?: Logger;
}

export interface TerminateResult {
  /** Processes that were asked to end (SIGTERM, SIGHUP, SIGCONT). */
  asked: number[];
  /** Processes still there at the deadline, killed with SIGKILL. */
  killed: number[];
}

type Collect = () => ProcInfo[];

const signal = (target: number, sig: NodeJS.Signals): void => {
  try {
    process.kill(target, sig);
  } catch {
    // Gone already (ESRCH) — the outcome we want.
  }
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function protectedSet(extra?: Iterable<number>): Set<number> {
  return new Set([...ancestors(process.pid), ...(extra ?? [])]);
}

/** Each process, and its process group when no spared process leads it, so children forked meanwhile get it too. */
function send(procs: ProcInfo[], sigs: NodeJS.Signals[], spare: Set<number>): void {
  const groups = new Set<number>();
  for (const p of procs) {
    for (const sig of sigs) signal(p.pid, sig);
    if (p.pgid > 1 && !spare.has(p.pgid)) groups.add(p.pgid);
  }
  for (const g of groups) for (const sig of sigs) signal(-g, sig);
}

/**
 * Ends what `collect` finds: SIGTERM (and SIGHUP, which interactive shells heed where
 * they ignore SIGTERM, and SIGCONT for stopped jobs), polling until none is left or
 * `timeoutMs` passes, then SIGKILL. Processes in `waitPids` (a pane's process that runs
 * the others: the exit-status wrapper) are left to exit by themselves once their
 * children are gone, so the wrapper still records its program's status; they are killed
 * only if they outlive everything else by a second.
 */
export async function terminateProcesses(collect: Collect, waitPids: Set<number>, options: TerminateOptions): Promise<TerminateResult> {
  const spare = protectedSet(options.protect);
  const alive = () => collect().filter((p) => !isDead(p) && !spare.has(p.pid));
  // A group led by a waited-for process holds that process: never signal it as a group.
  const noGroup = new Set([...spare, ...waitPids]);
  const asked = new Map<string, number>();
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const procs = alive();
    if (procs.length === 0) return { asked: [...asked.values()], killed: [] };
    if (Date.now() >= deadline) break;
    const targets = procs.filter((p) => !waitPids.has(p.pid) && !asked.has(`${p.pid}:${p.startTime}`));
    for (const p of targets) asked.set(`${p.pid}:${p.startTime}`, p.pid);
    send(targets, ['SIGTERM', 'SIGHUP', 'SIGCONT'], noGroup);
    await sleep(POLL_MS);
  }
  const killed = new Set<number>();
  let aloneSince: number | undefined;
  for (let round = 0; round < 200; round++) {
    const procs = alive();
    if (procs.length === 0) break;
    const rest = procs.filter((p) => !waitPids.has(p.pid));
    aloneSince = rest.length ? undefined : (aloneSince ?? Date.now());
    const targets = rest.length ? rest : Date.now() - aloneSince! >= PANE_EXIT_MS ? procs : [];
    for (const p of targets) killed.add(p.pid);
    send(targets, ['SIGKILL'], noGroup);
    await sleep(POLL_MS);
  }
  const left = alive();
  if (left.length) options.log?.warn({ pids: left.map((p) => p.pid) }, 'processes survived SIGKILL');
  return { asked: [...asked.values()], killed: [...killed] };
}

/** Environment markers a session's processes carry: all must match. */
export type EnvMarkers = Record<string, string>;

function matchesMarkers(env: Map<string, string> | null, markers: EnvMarkers): boolean {
  if (!env) return false;
  return Object.entries(markers).every(([k, v]) => env.get(k) === v);
}

/** Reads each process's environment once per (pid, start time): it does not change after exec. */
function environCache() {
  const cache = new Map<string, Map<string, string> | null>();
  return (p: ProcInfo) => {
    const key = `${p.pid}:${p.startTime}`;
    if (!cache.has(key)) cache.set(key, readEnviron(p.pid));
    return cache.get(key) ?? null;
  };
}

export interface StopTmuxSessionOptions extends TerminateOptions {
  tmux: Tmux;
  /** The tmux session's name. */
  name: string;
  /** The session's environment markers (e.g. RDV_SESSION_ID and RDV_API_SOCKET); empty finds by tree and sid only. */
  markers?: EnvMarkers;
}

/**
 * Closes a tmux session gracefully and leaves nothing of it running: its processes are
 * asked to end, killed after `timeoutMs`, then the tmux session is killed. Idempotent: a
 * session already gone still has its marked leftovers ended.
 */
export async function stopTmuxSession(options: StopTmuxSessionOptions): Promise<TerminateResult & { sessionKilled: boolean }> {
  const { tmux, name } = options;
  const markers = options.markers ?? {};
  const panes = await tmux.listPanes(name).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'not_found') return [];
    throw err;
  });
  const panePids = new Set(panes.map((p) => p.pid));
  const envOf = environCache();
  const collect: Collect = () => {
    const procs = listOwnProcs();
    const tree = descendants(procs, panePids);
    const hasMarkers = Object.keys(markers).length > 0;
    return procs.filter((p) => tree.has(p.pid) || panePids.has(p.sid) || (hasMarkers && matchesMarkers(envOf(p), markers)));
  };
  // A pane's process with children is a parent that ends after them (the exit-status
  // wrapper); one without is the program itself and is asked like the rest.
  const first = listOwnProcs();
  const parents = new Set(first.filter((p) => panePids.has(p.ppid)).map((p) => p.ppid));
  const result = await terminateProcesses(collect, parents, options);
  const sessionKilled = await tmux.killSession(name);
  return { ...result, sessionKilled };
}

export interface SweepOptions extends TerminateOptions {
  /** Markers of this rdv (e.g. `{ RDV_API_SOCKET }`): processes of other instances are never touched. */
  markers: EnvMarkers;
  /** The variable naming a process's session, e.g. RDV_SESSION_ID. */
  idVariable: string;
  /** Session ids whose tmux session exists now; asked after the scan, so a session started meanwhile is spared. */
  liveSessionIds: () => Promise<Set<string>>;
}

/**
 * Ends the processes of sessions whose tmux session is gone (a lost tmux server, a
 * killed session): marked with this rdv's markers and an id that `liveSessionIds` does
 * not list, plus whatever shares their kernel session. Returns what it found, by id.
 */
export async function sweepLostSessionProcesses(options: SweepOptions): Promise<{ sessionId: string; pids: number[] }[]> {
  // Without a marker of its own instance, a sweep would end every rdv's sessions on the machine.
  if (Object.keys(options.markers).length === 0) throw new AppError('invalid_input', 'a sweep needs the markers of its own rdv');
  const envOf = environCache();
  // Our own kernel sessions (a service started from a terminal) are never swept by sid.
  const mySid = new Set([...ancestors(process.pid)].map((pid) => readProc(pid)?.sid));
  const scan = () => {
    const procs = listOwnProcs();
    const byId = new Map<string, ProcInfo[]>();
    for (const p of procs) {
      const env = envOf(p);
      const id = env?.get(options.idVariable);
      if (!id || !matchesMarkers(env, options.markers)) continue;
      byId.set(id, [...(byId.get(id) ?? []), p]);
    }
    return { procs, byId };
  };
  const first = scan();
  if (first.byId.size === 0) return [];
  const live = await options.liveSessionIds();
  const lost = new Set([...first.byId.keys()].filter((id) => !live.has(id)));
  if (lost.size === 0) return [];
  const found = [...lost].map((sessionId) => ({ sessionId, pids: first.byId.get(sessionId)!.map((p) => p.pid) }));
  options.log?.warn({ sessions: found }, 'ending processes of sessions whose tmux session is gone');
  const collect: Collect = () => {
    const { procs, byId } = scan();
    const marked = [...lost].flatMap((id) => byId.get(id) ?? []);
    const sids = new Set(marked.map((p) => p.sid).filter((sid) => sid > 1 && !mySid.has(sid)));
    const pids = new Set(marked.map((p) => p.pid));
    return procs.filter((p) => pids.has(p.pid) || sids.has(p.sid));
  };
  await terminateProcesses(collect, new Set(), options);
  return found;
}
