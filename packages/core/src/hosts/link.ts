import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log/index.js';
import type { HostState } from '../schemas/index.js';
import { followRemoteEvents, remoteRequest, RemoteHealthSchema, type RemoteEvent, type RemoteEventStream } from './remote.js';
import { askRemoteHome, linkArgv, localSockets, sshFailure, type SshSettings, type SshTarget } from './ssh.js';

export interface LinkStatus {
  state: HostState;
  latencyMs: number | null;
  lastError: string | null;
  version: string | null;
  lastConnectedAt: Date | null;
}

export interface LinkOptions {
  hostId: string;
  target: SshTarget;
  /** The host's RDV_HOME, or null to ask the host for `~/.remote-dev`. */
  remoteHome: string | null;
  /** The host owner's CLI token, opened from its sealed copy when needed. */
  token: () => string;
  runDir: string;
  ssh: SshSettings;
  probeIntervalMs: number;
  reconnectMaxMs: number;
  log: Logger;
  /** Told on every change of state, error or version (not of latency alone). */
  onStatus: (status: LinkStatus) => void;
  /** Each event of the host's stream, in order. */
  onEvent: (event: RemoteEvent) => void;
  /** Told after each successful probe (to refresh what is cached of the host). */
  onProbe?: () => void;
}

export interface HostLink {
  readonly sockets: { dir: string; api: string; terminal: string };
  status(): LinkStatus;
  /** Retries now if the link is down (no backoff wait) and probes; resolves with the state after it. */
  test(): Promise<LinkStatus>;
  dispose(): void;
}

const RECONNECT_MIN_MS = 1000;

/**
 * Ends an ssh left running by an api that died without its shutdown (SIGKILL, a crash): the
 * pid file names it, and it is ours only if its command line forwards to `socket`.
 */
function endLeftoverSsh(pidFile: string, socket: string): void {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1) return;
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(socket)) return;
  } catch {
    // No pid file, or that process is gone: nothing left over.
    return;
  }
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // It ended between the check and the kill.
  }
}

/**
 * One OpenSSH link to a host: `ssh -N` with its api.sock and terminal.sock forwarded,
 * probed through the forward (latency, version, the token), and the host's events
 * followed from where they were left. A link that drops is retried with exponential
 * backoff up to `reconnectMaxMs`; dispose() ends ssh and every timer.
 */
export function openHostLink(options: LinkOptions): HostLink {
  const { log } = options;
  const sockets = localSockets(options.runDir, options.hostId);
  let status: LinkStatus = { state: 'connecting', latencyMs: null, lastError: null, version: null, lastConnectedAt: null };
  let child: ChildProcess | null = null;
  let stream: RemoteEventStream | null = null;
  let lastEventId: number | null = null;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | null = null;
  let probeTimer: NodeJS.Timeout | null = null;
  let streamTimer: NodeJS.Timeout | null = null;
  let remoteHome = options.remoteHome;
  let connecting: Promise<void> | null = null;
  let disposed = false;

  const set = (change: Partial<LinkStatus>) => {
    const next = { ...status, ...change };
    const changed = next.state !== status.state || next.lastError !== status.lastError || next.version !== status.version;
    status = next;
    if (changed && !disposed) options.onStatus(status);
  };

  const stopStream = () => {
    stream?.close();
    stream = null;
    if (streamTimer) clearTimeout(streamTimer);
    streamTimer = null;
  };

  const followEvents = () => {
    if (disposed || stream || status.state !== 'connected') return;
    stream = followRemoteEvents(
      sockets.api,
      options.token(),
      lastEventId,
      (event) => {
        lastEventId = event.id;
        options.onEvent(event);
      },
      (why) => {
        stream = null;
        if (disposed) return;
        // A refused token is the probe's to report (and it stops the retries); anything else
        // resumes from the last id seen once the link is (still or again) up.
        if (why.status === 401 || why.status === 403) void probe();
        else streamTimer = setTimeout(followEvents, 1000);
      },
    );
  };

  const probe = async (): Promise<void> => {
    if (disposed || !child) return;
    const started = performance.now();
    try {
      const health = await remoteRequest(sockets.api, null, 'GET', '/health', undefined, 5000);
      const latencyMs = Math.round((performance.now() - started) * 10) / 10;
      const parsed = RemoteHealthSchema.safeParse(health.body);
      const version = parsed.success ? parsed.data.version : null;
      if (health.status >= 500 && !parsed.success) throw new Error(`its /health answered ${health.status}`);
      const me = await remoteRequest<{ error?: { message?: string } }>(sockets.api, options.token(), 'GET', '/api/auth/me', undefined, 5000);
      if (me.status === 401 || me.status === 403) {
        stopStream();
        set({ state: 'unauthorized', latencyMs, version, lastError: `the host refused the token (${me.status}: ${me.body?.error?.message ?? 'no reason given'}); add the host again with a current CLI token of its owner` });
        return;
      }
      if (me.status !== 200) throw new Error(`its /api/auth/me answered ${me.status}`);
      const shapeError = parsed.success ? null : 'the host answered /health in a shape this rdv does not know (another rdv version?)';
      if (status.state !== 'connected') attempt = 0;
      set({ state: 'connected', latencyMs, version, lastError: shapeError, lastConnectedAt: new Date() });
      followEvents();
      options.onProbe?.();
    } catch (err) {
      stopStream();
      set({ state: 'unreachable', latencyMs: null, lastError: `the link is up but the host's rdv api does not answer (${(err as Error).message}); is rdv running there?` });
    }
  };

  const down = (reason: string) => {
    if (probeTimer) clearInterval(probeTimer);
    probeTimer = null;
    stopStream();
    const c = child;
    child = null;
    if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    if (disposed) return;
    set({ state: 'unreachable', latencyMs: null, lastError: reason });
    const delay = Math.min(options.reconnectMaxMs, RECONNECT_MIN_MS * 2 ** attempt);
    attempt++;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = setTimeout(() => void connect(), delay);
    log.info({ hostId: options.hostId, retryInMs: delay, reason }, 'host link down');
  };

  const waitForSocket = async (proc: ChildProcess): Promise<boolean> => {
    const deadline = Date.now() + options.ssh.connectTimeoutSeconds * 1000;
    while (Date.now() < deadline) {
      if (disposed || child !== proc) return false;
      if (existsSync(sockets.api) && existsSync(sockets.terminal)) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  };

  // One attempt at a time: a test() during a retry waits for that retry.
  const connect = (): Promise<void> => (connecting ??= attemptLink().finally(() => (connecting = null)));

  const attemptLink = async (): Promise<void> => {
    retryTimer = null;
    if (disposed || child) return;
    if (status.state !== 'unreachable') set({ state: 'connecting' });
    try {
      remoteHome ??= await askRemoteHome(options.target, options.ssh);
    } catch (err) {
      down((err as Error).message);
      return;
    }
    if (disposed || child) return;
    mkdirSync(sockets.dir, { recursive: true, mode: 0o700 });
    const pidFile = join(sockets.dir, 'ssh.pid');
    endLeftoverSsh(pidFile, sockets.api);
    for (const s of [sockets.api, sockets.terminal]) rmSync(s, { force: true });
    const argv = linkArgv(options.target, options.ssh, sockets, remoteHome);
    const proc = spawn(options.ssh.ssh, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    if (proc.pid) writeFileSync(pidFile, `${proc.pid}\n`, { mode: 0o600 });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4096);
    });
    proc.on('error', (err) => {
      if (child === proc) down(`could not run ${options.ssh.ssh}: ${err.message}`);
    });
    proc.on('exit', (code, signal) => {
      if (child === proc) down(sshFailure(stderr) || `ssh ended (${signal ?? code})`);
    });
    if (!(await waitForSocket(proc))) {
      if (child === proc) down(sshFailure(stderr) || 'ssh did not set up the forwards in time');
      return;
    }
    await probe();
    // A refused token is not retried on its own (each try is a failed sign-in on the host):
    // only test() asks again, e.g. after the token was allowed again on the host.
    if (child === proc && !probeTimer) probeTimer = setInterval(() => status.state !== 'unauthorized' && void probe(), options.probeIntervalMs);
  };

  void connect();

  return {
    sockets,
    status: () => ({ ...status }),
    async test() {
      if (!child || connecting) {
        if (retryTimer) clearTimeout(retryTimer);
        retryTimer = null;
        attempt = 0;
        await connect();
      } else await probe();
      return { ...status };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      if (retryTimer) clearTimeout(retryTimer);
      if (probeTimer) clearInterval(probeTimer);
      stopStream();
      const c = child;
      child = null;
      if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
      rmSync(sockets.dir, { recursive: true, force: true });
    },
  };
}
