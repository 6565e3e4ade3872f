import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RdvConfig } from '@rdv/core/config';
import { ensurePrivateDir, isProcessAlive, readPid, socketRequest } from '@rdv/core/lifecycle';
import { HealthSchema, type Health } from '@rdv/core/schemas';
import { SERVICES, type ServiceSpec } from './supervisor.js';

/** The services rdv records pid files for, in start order. */
export const SERVICE_NAMES = ['api', 'terminal', 'web'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** RDV_HOME/server/supervisor.pid and .log: the background `rdv up`. */
export const supervisorPidFile = (config: RdvConfig) => join(config.paths.serverDir, 'supervisor.pid');
export const supervisorLogFile = (config: RdvConfig) => config.paths.logFile('supervisor');

/**
 * True when `pid` looks like a process rdv started (a node process), so a stale pid file
 * whose number was reused by something else is never signalled. Without /proc, trust it.
 */
export function isRdvProcess(pid: number): boolean {
  if (!isProcessAlive(pid)) return false;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((arg) => /node|\.js$/.test(arg));
  } catch {
    // No /proc (not Linux) or it just exited: the alive check above is all we have.
    return true;
  }
}

/** The live pid recorded in `pidFile`, or null (missing file, dead or foreign process). */
export function livePid(pidFile: string): number | null {
  const pid = readPid(pidFile);
  return pid !== null && isRdvProcess(pid) ? pid : null;
}

/**
 * Claims supervisor.pid for this process; returns the live owner's pid instead when
 * another supervisor holds it. The returned release removes the file if still ours.
 */
export function claimSupervisorPid(config: RdvConfig): { owner: number } | { release: () => void } {
  const file = supervisorPidFile(config);
  ensurePrivateDir(config.paths.serverDir);
  const existing = livePid(file);
  if (existing !== null && existing !== process.pid) return { owner: existing };
  writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
  return {
    release: () => {
      if (readPid(file) === process.pid) rmSync(file, { force: true });
    },
  };
}

/** GET /health on a unix socket: the parsed body, or null when nothing (healthy) answers. */
export async function probeHealth(socket: string, timeoutMs = 2000): Promise<{ status: number; health: Health | null } | null> {
  try {
    const res = await socketRequest(socket, '/health', { timeoutMs });
    const parsed = HealthSchema.safeParse(res.body);
    return { status: res.status, health: parsed.success ? parsed.data : null };
  } catch {
    // Nothing listening (or it hung up): reported as "not answering".
    return null;
  }
}

export interface ServiceState {
  name: ServiceName;
  built: boolean;
  pid: number | null;
  alive: boolean;
  socket: string | null;
  socketPresent: boolean;
  /** /health: 'healthy' | 'degraded' | 'error <status>' | 'not answering' | null (no health socket). */
  health: string | null;
  detail: Health | null;
}

/** The supervisor's description of a service (entry point, health socket). */
export const specOf = (name: ServiceName): ServiceSpec => SERVICES.find((s) => s.name === name)!;

const isSocket = (path: string) => {
  try {
    return statSync(path).isSocket();
  } catch {
    // Missing: not present.
    return false;
  }
};

/** Pid, socket and /health of one service. */
export async function serviceState(config: RdvConfig, name: ServiceName): Promise<ServiceState> {
  const spec = specOf(name);
  const pid = readPid(config.paths.pidFile(name));
  const alive = pid !== null && isRdvProcess(pid);
  const socket = spec.healthSocket?.(config) ?? null;
  const socketPresent = socket ? isSocket(socket) : false;
  let health: string | null = null;
  let detail: Health | null = null;
  if (socket) {
    const probe = socketPresent ? await probeHealth(socket) : null;
    if (!probe) health = 'not answering';
    else if (probe.status === 200) {
      detail = probe.health;
      health = probe.health?.status ?? 'healthy';
    } else health = `error ${probe.status}`;
  }
  return { name, built: existsSync(spec.entry), pid, alive, socket, socketPresent, health, detail };
}

/** Sends SIGTERM and waits (polling) for the process to go; false if it outlived the wait. */
export async function terminate(pid: number, waitMs: number): Promise<boolean> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch (err) {
    // ESRCH: it is already gone, which is what we wanted.
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
  return waitUntil(() => !isProcessAlive(pid), waitMs);
}

/** Polls `check` every 100 ms until true or the time is up. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
