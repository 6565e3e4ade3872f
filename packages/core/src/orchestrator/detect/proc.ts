import { readdirSync, readFileSync } from 'node:fs';
import { EXIT_WRAPPER_NAME } from '../../session/index.js';
import { parseProcStat, type ProcInfo } from '../../tmux/index.js';
import { SHELL_NAMES } from './patterns.js';

/** Linux clock ticks per second for /proc CPU times (USER_HZ, 100 on every mainstream arch). */
export const CLOCK_TICKS_PER_SECOND = 100;
const MAX_TREE = 512;

/** A process as the monitor reads it: core/tmux's /proc parser serves both. */
export type ProcStat = ProcInfo;
export const parseStat = parseProcStat;

/** Facts about the processes behind a pane, read from /proc (Linux). */
export interface ProcReader {
  /** False where /proc is missing (macOS): callers fall back to what tmux says. */
  readonly available: boolean;
  stat(pid: number): ProcStat | null;
  /**
   * The pane's shell (the pane's process, or the shell rdv's exit-status wrapper runs) is
   * in front of its terminal (no job of it runs): the agent has exited. null if unknown.
   */
  shellInForeground(panePid: number): boolean | null;
  /** CPU ticks used so far by the process and all its descendants; null when it is gone. */
  treeCpuTicks(pid: number): number | null;
}

const readText = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // Processes come and go between listing and reading; a vanished one has no facts.
    return null;
  }
};

/** A reader of /proc rooted at `root` (tests may point it elsewhere). Holds no resources. */
export function createProcReader(root = '/proc'): ProcReader {
  const available = readText(`${root}/self/stat`) !== null;
  let childrenFiles: boolean | null = null;

  const stat = (pid: number): ProcStat | null => {
    const text = readText(`${root}/${pid}/stat`);
    return text ? parseStat(text) : null;
  };

  // /proc/<pid>/task/<tid>/children needs CONFIG_PROC_CHILDREN; without it, scan all.
  const childrenOf = (pid: number): number[] | null => {
    if (childrenFiles === false) return null;
    let tids: string[];
    try {
      tids = readdirSync(`${root}/${pid}/task`);
    } catch {
      return [];
    }
    const out: number[] = [];
    for (const tid of tids) {
      const text = readText(`${root}/${pid}/task/${tid}/children`);
      if (text === null) {
        if (childrenFiles === null) childrenFiles = false;
        return null;
      }
      childrenFiles = true;
      for (const c of text.split(' ')) if (c.trim()) out.push(Number(c));
    }
    return out;
  };

  /** `/bin/sh -c <script> rdv-exit-status …`: the wrapper of core/session (exit-status.ts). */
  const isExitWrapper = (pid: number): boolean => readText(`${root}/${pid}/cmdline`)?.split('\0')[3] === EXIT_WRAPPER_NAME;

  const scanTree = (root0: number): number[] => {
    const byParent = new Map<number, number[]>();
    let names: string[];
    try {
      names = readdirSync(root);
    } catch {
      return [root0];
    }
    for (const name of names) {
      if (!/^\d+$/.test(name)) continue;
      const s = stat(Number(name));
      if (!s) continue;
      const list = byParent.get(s.ppid) ?? [];
      list.push(s.pid);
      byParent.set(s.ppid, list);
    }
    const out: number[] = [];
    const queue = [root0];
    while (queue.length && out.length < MAX_TREE) {
      const p = queue.shift()!;
      out.push(p);
      queue.push(...(byParent.get(p) ?? []));
    }
    return out;
  };

  const tree = (pid: number): number[] => {
    const out: number[] = [];
    const queue = [pid];
    while (queue.length && out.length < MAX_TREE) {
      const p = queue.shift()!;
      out.push(p);
      const kids = childrenOf(p);
      if (kids === null) return scanTree(pid);
      queue.push(...kids);
    }
    return out;
  };

  return {
    available,
    stat,
    shellInForeground(panePid) {
      if (!available) return null;
      // rdv starts the shell under a small sh that records its exit status: look past it.
      const shellPid = isExitWrapper(panePid) ? tree(panePid)[1] : panePid;
      if (shellPid === undefined) return null;
      const s = stat(shellPid);
      if (!s) return null;
      return s.tpgid === s.pgid && SHELL_NAMES.has(s.comm);
    },
    treeCpuTicks(pid) {
      if (!available) return null;
      const first = stat(pid);
      if (!first) return null;
      let total = first.cpuTicks;
      for (const p of tree(pid).slice(1)) total += stat(p)?.cpuTicks ?? 0;
      return total;
    },
  };
}
