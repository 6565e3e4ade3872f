// A real OpenSSH server on a loopback port for tests: its own config, host key and
// authorized_keys in a temp dir, logged in to as the user running the tests.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { register, waitFor, type Scope } from './hooks.js';
import { useTempDir } from './index.js';

export interface SshKeyPair {
  /** Path of the private key file (0600). */
  privateKeyPath: string;
  /** The private key in OpenSSH format. */
  privateKey: string;
  /** `ssh-ed25519 AAAA… comment`. */
  publicKey: string;
}

/** A fresh Ed25519 key pair made with ssh-keygen, without a passphrase. */
export function makeSshKey(dir: string, name = 'id_ed25519'): SshKeyPair {
  const privateKeyPath = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@rdv-test`, '-f', privateKeyPath]);
  return { privateKeyPath, privateKey: readFileSync(privateKeyPath, 'utf8'), publicKey: readFileSync(`${privateKeyPath}.pub`, 'utf8').trim() };
}

export interface Sshd {
  host: '127.0.0.1';
  port: number;
  /** The user that logs in (the one running the tests). */
  user: string;
  dir: string;
  /** `[127.0.0.1]:port ssh-ed25519 AAAA…`, a known_hosts line for the current host key. */
  knownHostsLine(): string;
  /** Adds a public key to authorized_keys (read by sshd at each login). */
  authorize(publicKey: string): void;
  /** Kills every open connection (the listener stays): a cut link. */
  cutConnections(): void;
  /** Stops the listener and every connection. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same host key. */
  start(): Promise<void>;
  /** A new host key (as if the machine were replaced), restarting the server. */
  replaceHostKey(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Pids of every process below `pid` (read from /proc). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(name)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of parents.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

const kill = (pid: number) => {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
};

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('data', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

/** An sshd on 127.0.0.1 (Debian's openssh-server), stopped with the scope. */
export async function useSshd(options: { scope?: Scope; authorizedKeys?: string[] } = {}): Promise<Sshd> {
  const scope = options.scope ?? 'file';
  const dir = useTempDir(scope, 'rdv-sshd-');
  const port = await freePort();
  const hostKey = join(dir, 'host_ed25519');
  const authorizedKeys = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, (options.authorizedKeys ?? []).map((k) => `${k}\n`).join(''), { mode: 0o600 });
  const newHostKey = () => {
    rmSync(hostKey, { force: true });
    rmSync(`${hostKey}.pub`, { force: true });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  };
  newHostKey();
  mkdirSync(join(dir, 'home'), { mode: 0o700 });
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'UsePAM no',
      'StrictModes no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'AllowTcpForwarding yes',
      'AllowStreamLocalForwarding yes',
      'StreamLocalBindUnlink yes',
      'AcceptEnv LANG',
      // Logins get a HOME of their own: the test user's shell start files (a .bashrc that
      // runs pyenv, say) are not part of what is tested, and a lock one of them left behind
      // when a cut connection killed it would hold every later login for a minute.
      `SetEnv HOME=${join(dir, 'home')}`,
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  // sshd's privilege-separation directory; a fresh machine has none until the service first runs.
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  let child: ChildProcess | null = null;
  const stderr: string[] = [];

  const start = async () => {
    child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
    await waitFor(() => accepts(port), `sshd listening on 127.0.0.1:${port} (${stderr.join('').trim()})`);
  };
  const cutConnections = () => {
    if (child?.pid) for (const pid of descendants(child.pid)) kill(pid);
  };
  const stop = async () => {
    const c = child;
    if (!c?.pid) return;
    cutConnections();
    if (c.exitCode === null && c.signalCode === null) {
      const exited = new Promise((resolve) => c.once('exit', resolve));
      kill(c.pid);
      await exited;
    }
    child = null;
  };
  register(scope, stop);
  await start();
  return {
    host: '127.0.0.1',
    port,
    user: userInfo().username,
    dir,
    knownHostsLine: () => `[127.0.0.1]:${port} ${readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ')}`,
    authorize: (publicKey) => writeFileSync(authorizedKeys, `${publicKey.trim()}\n`, { flag: 'a' }),
    cutConnections,
    stop,
    start,
    async replaceHostKey() {
      await stop();
      newHostKey();
      await start();
    },
  };
}
