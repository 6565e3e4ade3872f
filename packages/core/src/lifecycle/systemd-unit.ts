import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentEnv } from '../config/index.js';
import { AppError } from '../errors/index.js';

/** The unit shipped in the repository (config/rdv.service), from src or dist alike. */
export const SYSTEMD_UNIT_TEMPLATE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'config', 'rdv.service');

export interface SystemdUnitOptions {
  /** The rdv checkout: the service's working directory. */
  repoDir: string;
  /** The node binary to run the CLI with (e.g. process.execPath). */
  nodePath: string;
  /** RDV_HOME for the service, when not the default. */
  home?: string;
  /** PATH for the service and its sessions (the user manager's own is short: agents in ~/.local/bin would not be found). */
  path?: string;
}

// A value systemd takes verbatim must not carry line breaks, and no backslash (C escapes).
const checkValue = (what: string, value: string) => {
  if (/[\x00-\x1f\x7f\\]/.test(value) || value !== value.trim()) {
    throw new AppError('invalid_input', `${what} cannot go into a systemd unit: no control characters, backslashes or surrounding spaces`);
  }
};
const checkPath = (what: string, value: string) => {
  checkValue(what, value);
  if (!isAbsolute(value)) throw new AppError('invalid_input', `${what} must be an absolute path`);
};

/** "%" starts a specifier everywhere in a unit file. */
const specifiers = (s: string) => s.replace(/%/g, '%%');
/** ExecStart's executable: quoted (spaces), never variable-expanded, and systemd refuses quotes in it. */
const executable = (s: string) => `"${specifiers(s)}"`;
const environment = (key: string, value: string) => `Environment="${key}=${specifiers(value).replace(/["\\]/g, '\\$&')}"`;

/**
 * The shipped unit filled in for one checkout: WorkingDirectory, the ExecStart node,
 * and Environment lines for RDV_HOME and PATH when given. Errors: `invalid_input` for a
 * value a unit file cannot carry.
 */
export function renderSystemdUnit(options: SystemdUnitOptions, template = readFileSync(SYSTEMD_UNIT_TEMPLATE, 'utf8')): string {
  checkPath('the repository', options.repoDir);
  checkPath('the node binary', options.nodePath);
  if (/["']/.test(options.nodePath)) throw new AppError('invalid_input', 'systemd refuses an executable path with quotes in it');
  if (options.home !== undefined) checkPath('RDV_HOME', options.home);
  if (options.path !== undefined) checkValue('PATH', options.path);
  const env = [
    ...(options.home ? [environment('RDV_HOME', options.home)] : []),
    ...(options.path ? [environment('PATH', options.path)] : []),
  ];
  const found = { dir: false, exec: false };
  const lines = template.split('\n').map((line) => {
    if (line.startsWith('WorkingDirectory=')) {
      found.dir = true;
      return `WorkingDirectory=${specifiers(options.repoDir)}`;
    }
    if (line.startsWith('ExecStart=')) {
      found.exec = true;
      const args = line.slice('ExecStart='.length).trim().split(/\s+/).slice(1);
      return [`ExecStart=${executable(options.nodePath)}`, ...args].join(' ') + (env.length ? `\n${env.join('\n')}` : '');
    }
    return line;
  });
  if (!found.dir || !found.exec) throw new AppError('internal', 'the systemd unit template has no WorkingDirectory or ExecStart line');
  return lines.join('\n');
}

/** Where a user unit goes: $XDG_CONFIG_HOME/systemd/user/rdv.service (default ~/.config/…). */
export function userUnitPath(env: NodeJS.ProcessEnv = parentEnv()): string {
  const config = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), '.config');
  return join(config, 'systemd', 'user', 'rdv.service');
}
