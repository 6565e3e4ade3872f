import { readdirSync, readFileSync, statSync } from 'node:fs';

/** One process as /proc shows it (Linux only). */
export interface ProcInfo {
  pid: number;
  /** The executable's name (`comm`). */
  comm: string;
  ppid: number;
  pgid: number;
  sid: number;
  /** Foreground process group of the process's controlling terminal. */
  tpgid: number;
  /** R, S, D, T, Z, … — Z and X are dead, waiting to be reaped. */
  state: string;
  /** Start time in clock ticks since boot: with the pid, it names the process even if the pid is reused. */
  startTime: number;
  /** utime + stime + cutime + cstime (its own and its reaped children's), in clock ticks. */
  cpuTicks: number;
}

/** Parses /proc/<pid>/stat; the command name may hold spaces and ")" so fields are read after the last ")". */
export function parseProcStat(text: string): ProcInfo | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  // After ")": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
  // utime stime cutime cstime priority nice num_threads itrealvalue starttime …
  const f = text.slice(close + 2).split(' ');
  // Reaped children's CPU time counts so that short-lived workers (a silent build) show up too.
  const nums = [f[1], f[2], f[3], f[5], f[19], f[11], f[12], f[13], f[14]].map(Number);
  if (!Number.isInteger(pid) || nums.some((n) => !Number.isInteger(n)) || !f[0]) return null;
  const [ppid, pgid, sid, tpgid, startTime, utime, stime, cutime, cstime] = nums as [number, number, number, number, number, number, number, number, number];
  return { pid, comm: text.slice(open + 1, close), state: f[0], ppid, pgid, sid, tpgid, startTime, cpuTicks: utime + stime + cutime + cstime };
}

export function readProc(pid: number): ProcInfo | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    // Gone (or no /proc): not a process we can act on.
    return null;
  }
}

export const isDead = (p: ProcInfo): boolean => p.state === 'Z' || p.state === 'X';

/** Every process of this user (others' are never ours to signal, and their environment is unreadable). */
export function listOwnProcs(uid = process.getuid?.() ?? 0): ProcInfo[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcInfo[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (statSync(`/proc/${name}`).uid !== uid) continue;
    } catch {
      continue; // Exited while we looked.
    }
    const p = readProc(Number(name));
    if (p) out.push(p);
  }
  return out;
}

/** The environment a process started with, or null when it cannot be read. */
export function readEnviron(pid: number): Map<string, string> | null {
  let raw: Buffer;
  try {
    raw = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return null;
  }
  const env = new Map<string, string>();
  for (const entry of raw.toString('utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

/** `roots` and everything below them in `procs`. */
export function descendants(procs: ProcInfo[], roots: Iterable<number>): Set<number> {
  const children = new Map<number, number[]>();
  for (const p of procs) {
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  const out = new Set<number>();
  const stack = [...roots];
  while (stack.length) {
    const pid = stack.pop()!;
    if (out.has(pid)) continue;
    out.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** `pid` and its ancestors up to init. */
export function ancestors(pid: number): Set<number> {
  const out = new Set<number>();
  let cur: number | undefined = pid;
  while (cur && cur > 0 && !out.has(cur)) {
    out.add(cur);
    cur = readProc(cur)?.ppid;
  }
  return out;
}
