import { execFile } from 'node:child_process';
import { chmodSync, existsSync, rmSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parentEnv, type RdvConfig } from '@rdv/core/config';
import { readPid } from '@rdv/core/lifecycle';
import { tokenFromEnv } from './credentials.js';
import { SERVICE_NAMES, isRdvProcess, probeHealth, specOf, supervisorPidFile } from './services.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about it, when it is not ok. */
  fix?: string;
  /** A safe repair `rdv doctor --fix` may apply (chmod, removing a stale file). */
  repair?: () => void;
}

const ok = (name: string, detail: string): Check => ({ name, status: 'ok', detail });

function run(cmd: string, args: string[]): Promise<string | null> {
  return new Promise((resolveRun) => {
    execFile(cmd, args, { timeout: 5000 }, (err, stdout) => resolveRun(err ? null : String(stdout).trim()));
  });
}

/** "tmux 3.4" / "tmux next-3.5" / "git version 2.43.0" → [major, minor]. */
export function parseVersion(text: string): [number, number] | null {
  const m = /(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

const atLeast = (v: [number, number], min: [number, number]) => v[0] > min[0] || (v[0] === min[0] && v[1] >= min[1]);

/** A tool on PATH at a minimum version. */
export async function checkTool(name: 'tmux' | 'git', min: [number, number]): Promise<Check> {
  const out = await run(name, [name === 'tmux' ? '-V' : '--version']);
  const install = `install ${name} ${min.join('.')} or newer (e.g. \`sudo apt install ${name}\` or \`brew install ${name}\`)`;
  if (out === null) return { name, status: 'fail', detail: `${name} is not installed or not on PATH`, fix: install };
  const v = parseVersion(out);
  if (!v) return { name, status: 'warn', detail: `cannot tell the version from "${out}"` };
  if (!atLeast(v, min)) return { name, status: 'fail', detail: `${out} is too old`, fix: install };
  return ok(name, out);
}

/** OpenSSH's client tools, which git identities need (keys, per-session agents, clones over ssh). */
export function checkOpenSsh(path = parentEnv().PATH ?? ''): Check {
  const dirs = path.split(delimiter).filter(Boolean);
  const missing = ['ssh', 'ssh-agent', 'ssh-add', 'ssh-keygen'].filter((tool) => !dirs.some((d) => existsSync(join(d, tool))));
  if (!missing.length) return ok('openssh', 'ssh, ssh-agent, ssh-add and ssh-keygen are on PATH');
  return {
    name: 'openssh',
    status: 'warn',
    detail: `${missing.join(', ')} not on PATH: git identities and clones over ssh will not work`,
    fix: 'install the OpenSSH client (e.g. `sudo apt install openssh-client`)',
  };
}

/** Node.js 20 or newer. */
export function checkNode(): Check {
  const v = parseVersion(process.versions.node)!;
  return atLeast(v, [20, 0])
    ? ok('node', `node ${process.versions.node}`)
    : { name: 'node', status: 'fail', detail: `node ${process.versions.node} is too old`, fix: 'install Node.js 20 or newer' };
}

/** A file or directory that must not be readable by anyone else. */
export function checkMode(name: string, path: string, mode: number, required: boolean): Check {
  let st;
  try {
    st = statSync(path);
  } catch {
    // Missing: an error only for what must exist by now.
    return required
      ? { name, status: 'warn', detail: `${path} does not exist yet`, fix: 'start rdv once with `rdv up` to create it' }
      : ok(name, `${path} (not created yet)`);
  }
  const actual = st.mode & 0o777;
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    return { name, status: 'fail', detail: `${path} belongs to uid ${st.uid}, not you`, fix: `sudo chown $(id -u):$(id -g) ${path}` };
  }
  if ((actual & ~mode) !== 0) {
    const octal = mode.toString(8);
    return {
      name,
      status: 'fail',
      detail: `${path} is mode ${actual.toString(8)}; others can read it`,
      fix: `chmod ${octal} ${path}`,
      repair: () => chmodSync(path, mode),
    };
  }
  return ok(name, `${path} (${actual.toString(8)})`);
}

/** Pid files naming dead processes, and sockets nobody listens on. */
export async function checkStaleFiles(config: RdvConfig): Promise<Check[]> {
  const checks: Check[] = [];
  const pidFiles = [...SERVICE_NAMES.map((n) => [n, config.paths.pidFile(n)] as const), ['supervisor', supervisorPidFile(config)] as const];
  for (const [name, file] of pidFiles) {
    const pid = readPid(file);
    if (pid === null || isRdvProcess(pid)) continue;
    checks.push({
      name: `stale ${name}.pid`,
      status: 'warn',
      detail: `${file} names pid ${pid}, which is not running (a crash?)`,
      fix: `rm ${file}   (or \`rdv doctor --fix\`; services also clean it up on start)`,
      repair: () => rmSync(file, { force: true }),
    });
  }
  for (const name of SERVICE_NAMES) {
    const socket = specOf(name).healthSocket?.(config);
    if (!socket || !existsSync(socket)) continue;
    if (isRdvProcess(readPid(config.paths.pidFile(name)) ?? -1)) continue;
    if (await probeHealth(socket, 1000)) continue;
    checks.push({
      name: `stale ${name} socket`,
      status: 'warn',
      detail: `${socket} exists but no ${name} process listens on it`,
      fix: `rm ${socket}   (or \`rdv doctor --fix\`)`,
      repair: () => rmSync(socket, { force: true }),
    });
  }
  if (!checks.length) checks.push(ok('stale files', 'no stale pid or socket files'));
  return checks;
}

/** The CLI token: where it comes from and whether the api accepts it. */
export async function checkToken(config: RdvConfig, verify: () => Promise<string>): Promise<Check[]> {
  const checks: Check[] = [];
  if (tokenFromEnv()) checks.push(ok('token source', 'RDV_TOKEN is set and overrides the token file'));
  else if (!existsSync(config.paths.cliToken)) {
    checks.push({ name: 'cli-token', status: 'warn', detail: `${config.paths.cliToken} does not exist`, fix: 'start rdv with `rdv up`; the api writes it' });
  } else checks.push(checkMode('cli-token', config.paths.cliToken, 0o600, true));
  try {
    checks.push(ok('token accepted', await verify()));
  } catch (err) {
    const message = (err as Error).message;
    if (/not running|nothing answers/.test(message)) return checks;
    checks.push({
      name: 'token accepted',
      status: 'fail',
      detail: message,
      fix: tokenFromEnv() ? 'unset RDV_TOKEN or set it to a valid token (`rdv token create`)' : 'restart rdv (`rdv down && rdv up`) to write a fresh cli-token',
    });
  }
  return checks;
}

/** Each service's socket (mode and /health) when it is built. */
export async function checkSockets(config: RdvConfig): Promise<Check[]> {
  const checks: Check[] = [];
  for (const name of SERVICE_NAMES) {
    const spec = specOf(name);
    if (!existsSync(spec.entry)) {
      checks.push({ name: `${name} built`, status: 'warn', detail: `${spec.entry} is missing`, fix: 'run `npm run build` (or `npm start`)' });
      continue;
    }
    const socket = spec.healthSocket?.(config);
    if (!socket) continue;
    if (!existsSync(socket)) {
      checks.push({ name: `${name} socket`, status: 'warn', detail: `${socket} is missing: ${name} is not running`, fix: 'start rdv with `rdv up`' });
      continue;
    }
    // A socket with no live owner is reported by checkStaleFiles.
    if (!isRdvProcess(readPid(config.paths.pidFile(name)) ?? -1) && !(await probeHealth(socket, 1000))) continue;
    const mode = checkMode(`${name} socket`, socket, 0o600, true);
    if (mode.status !== 'ok') checks.push(mode);
    const probe = await probeHealth(socket);
    if (probe?.status === 200) checks.push(ok(`${name} health`, `${probe.health?.status ?? 'healthy'} on ${socket}`));
    else {
      checks.push({
        name: `${name} health`,
        status: 'fail',
        detail: probe ? `/health answered ${probe.status}` : `${socket} does not answer`,
        fix: `see \`rdv logs ${name}\`; restart with \`rdv down && rdv up\``,
      });
    }
  }
  return checks;
}
