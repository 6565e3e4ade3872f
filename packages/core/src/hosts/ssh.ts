import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { AppError } from '../errors/index.js';
import { SshDestinationSchema } from '../schemas/index.js';

/** How to reach one host with OpenSSH (a row of `hosts`, without its token). */
export interface SshTarget {
  destination: string;
  port: number | null;
  identityFile: string | null;
  knownHostsFile: string | null;
}

export interface SshSettings {
  /** The ssh program. */
  ssh: string;
  keepaliveSeconds: number;
  keepaliveCount: number;
  connectTimeoutSeconds: number;
  /** Used when the host names no known_hosts file of its own: RDV_HOME/known_hosts. */
  defaultKnownHosts: string;
}

/**
 * The options every ssh rdv runs shares: no user config (`-F none`, so what rdv stored is
 * all that applies), never a prompt (BatchMode), keep-alives, and host keys pinned in one
 * file: a host's key is accepted the first time (accept-new) and refused if it changes.
 */
export function sshOptions(target: SshTarget, settings: SshSettings): string[] {
  const destination = SshDestinationSchema.safeParse(target.destination);
  if (!destination.success) throw new AppError('invalid_input', `ssh destination ${JSON.stringify(target.destination)}: ${destination.error.issues[0]?.message}`);
  return [
    '-F', 'none',
    '-o', 'BatchMode=yes',
    '-o', `ServerAliveInterval=${settings.keepaliveSeconds}`,
    '-o', `ServerAliveCountMax=${settings.keepaliveCount}`,
    '-o', `ConnectTimeout=${settings.connectTimeoutSeconds}`,
    '-o', `UserKnownHostsFile=${target.knownHostsFile ?? settings.defaultKnownHosts}`,
    '-o', 'StrictHostKeyChecking=accept-new',
    '-o', 'ControlMaster=no',
    ...(target.port ? ['-p', String(target.port)] : []),
    ...(target.identityFile ? ['-i', target.identityFile, '-o', 'IdentitiesOnly=yes'] : []),
  ];
}

/** The forwarded sockets of a host on this machine: run/hosts/<id>/{api,terminal}.sock. */
export function localSockets(runDir: string, hostId: string) {
  const dir = join(runDir, 'hosts', hostId);
  return { dir, api: join(dir, 'api.sock'), terminal: join(dir, 'terminal.sock') };
}

/**
 * `ssh -N` argv forwarding the host's api.sock and terminal.sock (under `remoteHome/run`)
 * to local unix sockets made 0600 (StreamLocalBindMask) and replaced when stale.
 */
export function linkArgv(target: SshTarget, settings: SshSettings, local: { api: string; terminal: string }, remoteHome: string): string[] {
  return [
    '-N',
    ...sshOptions(target, settings),
    '-o', 'ExitOnForwardFailure=yes',
    '-o', 'StreamLocalBindUnlink=yes',
    '-o', 'StreamLocalBindMask=0177',
    '-L', `${local.api}:${join(remoteHome, 'run', 'api.sock')}`,
    '-L', `${local.terminal}:${join(remoteHome, 'run', 'terminal.sock')}`,
    '--',
    target.destination,
  ];
}

/**
 * The host's RDV_HOME when none was given: `~/.remote-dev` of the ssh user, whose home is
 * asked of the host once (`printenv HOME`, a fixed command).
 */
export function askRemoteHome(target: SshTarget, settings: SshSettings): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      settings.ssh,
      [...sshOptions(target, settings), '--', target.destination, 'printenv', 'HOME'],
      { timeout: (settings.connectTimeoutSeconds + 5) * 1000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const home = stdout.trim();
        if (err || !home.startsWith('/')) {
          reject(new Error(sshFailure(stderr) || `could not ask the host for its home directory (${err?.message ?? 'no answer'})`));
          return;
        }
        resolve(join(home, '.remote-dev'));
      },
    );
  });
}

/** The useful part of what ssh printed when it failed: its last non-empty line. */
export function sshFailure(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines[lines.length - 1] ?? '').slice(0, 300);
}
