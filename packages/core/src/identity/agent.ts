// ssh-agents holding one identity's key: per session (its socket in the session's private
// run folder, SSH_AUTH_SOCK in its environment) and short-lived ones for the api's own
// clones, fetches and pushes. The decrypted key goes to `ssh-add -` on stdin only.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { parentEnv } from '../config/index.js';
import { AppError } from '../errors/index.js';
import type { UnsealedIdentity } from './service.js';

export interface SshAgent {
  socket: string;
  /** The identity's public key file beside the socket (for ssh's IdentityFile + IdentitiesOnly). */
  publicKeyFile: string;
  pid: number;
  /** Ends the agent and removes its socket and files; idempotent. */
  stop(): Promise<void>;
}

const BASE_ENV = { PATH: parentEnv().PATH ?? '/usr/bin:/bin', LC_ALL: 'C' };

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Kills an agent a previous api process left behind (its pid file names it, and it is still an ssh-agent on that socket). */
function killLeftover(dir: string, socket: string): void {
  const pidFile = join(dir, 'agent.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes('ssh-agent') && cmdline.includes(socket)) process.kill(pid, 'SIGTERM');
  } catch {
    // Gone already (or not ours to read): nothing to stop.
  }
  rmSync(pidFile, { force: true });
}

/** True when something accepts a connection on the unix socket at `path`. */
const accepts = (path: string) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** Waits until the agent accepts connections: its socket file exists a moment before it listens. */
async function waitForSocket(path: string, child: ChildProcess, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(existsSync(path) && (await accepts(path)))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new AppError('unavailable', 'ssh-agent exited at start');
    if (Date.now() > until) throw new AppError('unavailable', 'ssh-agent did not open its socket in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function addKey(socket: string, key: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile('ssh-add', ['-q', '-'], { env: { ...BASE_ENV, SSH_AUTH_SOCK: socket }, timeout: 15_000 }, (err, _out, stderr) => {
      // stderr of ssh-add names the input ("(stdin)"), never the key itself.
      if (err) reject(new AppError('unavailable', `ssh-add could not load the identity's key: ${String(stderr).trim().slice(0, 200)}`));
      else resolve();
    });
    child.stdin?.on('error', () => undefined); // its exit status reports the failure
    child.stdin?.end(key);
  });
}

/**
 * Starts `ssh-agent -D -a <dir>/agent.sock` holding the identity's key (piped to `ssh-add -`).
 * `dir` is made 0700; an agent left there by an earlier api process is stopped first.
 */
export async function startAgent(dir: string, identity: UnsealedIdentity): Promise<SshAgent> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const socket = join(dir, 'agent.sock');
  killLeftover(dir, socket);
  rmSync(socket, { force: true });
  const child = spawn('ssh-agent', ['-D', '-a', socket], { env: BASE_ENV, stdio: ['ignore', 'ignore', 'ignore'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const publicKeyFile = join(dir, 'identity.pub');
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      if (child.pid && alive(child.pid)) child.kill('SIGKILL');
    }
    for (const f of [socket, publicKeyFile, join(dir, 'agent.pid')]) rmSync(f, { force: true });
  };
  try {
    await waitForSocket(socket, child);
    writeFileSync(join(dir, 'agent.pid'), `${child.pid}\n`, { mode: 0o600 });
    await addKey(socket, identity.privateKey);
    writeFileSync(publicKeyFile, `${identity.publicKey}\n`, { mode: 0o600 });
  } catch (err) {
    await stop();
    throw err;
  }
  return { socket, publicKeyFile, pid: child.pid!, stop };
}

/** Single-quotes a path for the shell git runs core.sshCommand with (only paths rdv chose go here). */
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The ssh command git uses for rdv's remotes: no user or system ssh config, host keys pinned
 * in rdv's known_hosts (new hosts accepted, changed keys refused), only the identity's key
 * through its agent (or no key at all), never a prompt.
 */
export function sshCommand(knownHosts: string, agent: Pick<SshAgent, 'socket' | 'publicKeyFile'> | null, strict: 'accept-new' | 'yes' = 'accept-new'): string {
  const opts = [
    '-F', 'none',
    '-o', `UserKnownHostsFile=${quote(knownHosts)}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', `StrictHostKeyChecking=${strict}`,
    '-o', 'HashKnownHosts=no',
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'ConnectTimeout=20',
    ...(agent
      ? ['-o', `IdentityAgent=${quote(agent.socket)}`, '-o', `IdentityFile=${quote(agent.publicKeyFile)}`]
      : ['-o', 'IdentityAgent=none', '-o', 'IdentityFile=/dev/null']),
  ];
  return ['ssh', ...opts].join(' ');
}

/** Runs `fn` with a short-lived agent for the identity (null: none) under `runDir`, stopped afterwards. */
export async function withAgent<T>(runDir: string, identity: UnsealedIdentity | null, fn: (agent: SshAgent | null) => Promise<T>): Promise<T> {
  if (!identity) return fn(null);
  const dir = join(runDir, 'agents', `${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  const agent = await startAgent(dir, identity);
  try {
    return await fn(agent);
  } finally {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
