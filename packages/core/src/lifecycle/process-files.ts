import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, chmod } from 'node:fs';
import type { Server } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../errors/index.js';

/** True when a process with this pid exists (signal 0 probes without touching it). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else — still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // A zombie answers signal 0 but is dead: its state in /proc/<pid>/stat is Z (or X).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    // No /proc (not Linux) or the process just went away: trust the signal probe.
    return true;
  }
}

export function readPid(pidFile: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    // No pid file (or unreadable): nothing is recorded as running.
    return null;
  }
}

/** Creates a directory (and parents) and forces its mode, even if it already existed. */
export function ensurePrivateDir(dir: string, mode = 0o700): void {
  mkdirSync(dir, { recursive: true, mode });
  chmodSync(dir, mode);
}

export interface PidFileHandle {
  pid: number;
  path: string;
  release(): void;
}

/**
 * Claims `pidFile` for this process. Refuses (AppError conflict) when it names a live
 * process; when it names a dead one, removes it and the given stale files and logs that.
 */
export function acquirePidFile(pidFile: string, staleFiles: string[], log: Logger, service: string): PidFileHandle {
  ensurePrivateDir(dirname(pidFile));
  const existing = readPid(pidFile);
  if (existing !== null && existing !== process.pid && isProcessAlive(existing)) {
    throw new AppError('conflict', `${service} is already running (pid ${existing}, ${pidFile})`);
  }
  if (existing !== null) {
    const removed = [pidFile, ...staleFiles].filter((f) => existsSync(f));
    for (const f of removed) rmSync(f, { force: true });
    log.warn({ stalePid: existing, removed }, 'cleaned up after a previous instance that did not shut down');
  }
  writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o600 });
  let released = false;
  return {
    pid: process.pid,
    path: pidFile,
    release() {
      if (released) return;
      released = true;
      if (readPid(pidFile) === process.pid) rmSync(pidFile, { force: true });
    },
  };
}

/**
 * Listens on a unix socket with mode 0600 in a 0700 directory. A leftover socket file
 * is removed first (the pid file check has already ruled out a live owner).
 */
export async function listenUnix(server: Server, socketPath: string): Promise<() => void> {
  ensurePrivateDir(dirname(socketPath));
  if (existsSync(socketPath)) {
    const st = statSync(socketPath);
    if (!st.isSocket()) throw new AppError('conflict', `${socketPath} exists and is not a socket`);
    rmSync(socketPath, { force: true });
  }
  const oldMask = process.umask(0o177);
  try {
    await new Promise<void>((resolveListen, reject) => {
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen(socketPath, () => {
        server.off('error', onError);
        resolveListen();
      });
    });
  } finally {
    process.umask(oldMask);
  }
  await new Promise<void>((ok, fail) => chmod(socketPath, 0o600, (e) => (e ? fail(e) : ok())));
  return () => rmSync(socketPath, { force: true });
}
