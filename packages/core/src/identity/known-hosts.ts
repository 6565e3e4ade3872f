// RDV_HOME/known_hosts: the SSH host keys rdv accepted (written by ssh itself with
// StrictHostKeyChecking=accept-new and HashKnownHosts=no, so it stays readable).
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { parentEnv } from '../config/index.js';
import { AppError } from '../errors/index.js';
import type { RepositoryUrl } from '../schemas/index.js';
import { fingerprintOf } from './keys.js';

/** How known_hosts names a host: `host`, or `[host]:port` off port 22. */
export function knownHostsName(url: RepositoryUrl): string | null {
  if (url.kind !== 'ssh') return null;
  return url.port && url.port !== 22 ? `[${url.host}]:${url.port}` : url.host;
}

/** The fingerprints of the keys pinned for `name` (`host` or `[host]:port`). */
export function pinnedKeys(file: string, name: string): string[] {
  if (!existsSync(file)) return [];
  const out: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [hosts, type, key] = line.trim().split(/\s+/);
    if (!hosts || hosts.startsWith('#') || !type || !key) continue;
    if (hosts.split(',').includes(name)) out.push(`${type} ${fingerprintOf(`${type} ${key}`)}`);
  }
  return out;
}

/** Removes the keys pinned for `name` (`ssh-keygen -R`); returns whether there were any. */
export async function forgetHost(file: string, name: string): Promise<boolean> {
  if (!/^(\[[A-Za-z0-9.:-]+\]:\d{1,5}|[A-Za-z0-9][A-Za-z0-9.:-]*)$/.test(name)) throw new AppError('invalid_input', `host: ${name} is not a host name or [host]:port`);
  if (!pinnedKeys(file, name).length) return false;
  await new Promise<void>((resolve, reject) => {
    execFile('ssh-keygen', ['-R', name, '-f', file], { env: { PATH: parentEnv().PATH ?? '/usr/bin:/bin' } }, (err) =>
      err ? reject(new AppError('unavailable', `ssh-keygen -R failed: ${err.message}`)) : resolve(),
    );
  });
  return true;
}
