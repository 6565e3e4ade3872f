// git against remotes, for rdv's own clones, fetches and pushes: argv only, `--` before
// URLs, only the https, ssh and file protocols, rdv's ssh command (agent.ts), no prompts,
// and git's --progress lines handed to a callback as they come.
import { spawn } from 'node:child_process';
import { parentEnv } from '../config/index.js';
import { AppError } from '../errors/index.js';
import { sshCommand, type SshAgent } from './agent.js';

const PASSED_ENV = ['PATH', 'HOME', 'USER', 'TMPDIR', 'XDG_CONFIG_HOME', 'GIT_CONFIG_GLOBAL', 'GIT_CONFIG_NOSYSTEM'];

export interface RemoteGitOptions {
  knownHosts: string;
  agent: Pick<SshAgent, 'socket' | 'publicKeyFile'> | null;
  /** Each line git prints on stderr (progress), without the key or anything secret. */
  onLine?: (line: string) => void;
  timeoutMs?: number;
}

/** `-c` settings every remote git call starts with. */
export function remoteGitConfig(knownHosts: string, agent: RemoteGitOptions['agent']): string[] {
  return [
    '-c', 'protocol.allow=never',
    '-c', 'protocol.https.allow=always',
    '-c', 'protocol.ssh.allow=always',
    '-c', 'protocol.file.allow=always',
    '-c', `core.sshCommand=${sshCommand(knownHosts, agent)}`,
    '-c', 'credential.helper=',
    '-c', 'core.askPass=',
  ];
}

export interface RemoteGitResult {
  stdout: string;
  stderr: string;
}

/** Text without terminal controls (line breaks and tabs stay). */
export const withoutControls = (text: string) => text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/g, '');

/** Runs `git <config> <args>` in `cwd`; a failure becomes an AppError that says why in plain words. */
export function remoteGit(cwd: string, args: string[], options: RemoteGitOptions): Promise<RemoteGitResult> {
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0', GIT_SSH_VARIANT: 'ssh', LC_ALL: 'C' };
  const parent = parentEnv();
  for (const key of PASSED_ENV) if (parent[key] !== undefined) env[key] = parent[key]!;
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...remoteGitConfig(options.knownHosts, options.agent), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30 * 60_000);
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < 4 * 1024 * 1024) stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      // A remote writes what it likes on its "remote:" lines: escape sequences go no further.
      const text = withoutControls(d.toString());
      if (stderr.length < 256 * 1024) stderr += text;
      // Progress rewrites its line with \r; each rewrite is a line for the event stream.
      const parts = (partial + text).split(/[\r\n]/);
      partial = parts.pop() ?? '';
      for (const line of parts) if (line.trim()) options.onLine?.(line.trim());
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new AppError('unavailable', `git could not start: ${err.message}`, { cause: err }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (partial.trim()) options.onLine?.(partial.trim());
      if (code === 0) resolve({ stdout, stderr });
      else reject(explainGitFailure(stderr, args[0] ?? 'git'));
    });
  });
}

/** git's stderr turned into an error a person can act on. */
export function explainGitFailure(stderr: string, what: string): AppError {
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(stderr)) {
    const offending = /Offending \S+ key in \S+:\d+/.exec(stderr)?.[0];
    const name = hostNameIn(stderr) ?? 'the server';
    return new AppError(
      'conflict',
      `the host key of ${name} changed, so rdv refused to connect (it may be an attack, or the server was reinstalled). If the change is expected, remove the old key with \`rdv repo forget-host ${name}\` and try again${offending ? ` (${offending})` : ''}`,
    );
  }
  if (/Host key verification failed/i.test(stderr)) {
    return new AppError('conflict', `the host key of ${hostNameIn(stderr) ?? 'the server'} could not be verified against rdv's known_hosts`);
  }
  if (/Permission denied \(publickey/i.test(stderr)) {
    return new AppError('forbidden', "the server refused the identity's key (Permission denied (publickey)); add the identity's public key to your account there, or pick another identity");
  }
  if (/could not read (Username|Password)|Authentication failed for/i.test(stderr)) {
    return new AppError('forbidden', 'the https remote asks for credentials, which rdv does not keep; clone or push over ssh (git@host:owner/repo.git) as an identity instead');
  }
  if (/Could not resolve hostname|Connection refused|Connection timed out|No route to host|Network is unreachable/i.test(stderr)) {
    return new AppError('unavailable', `could not reach the server: ${firstFatal(stderr)}`);
  }
  if (/transport '\S+' not allowed/i.test(stderr)) return new AppError('invalid_input', `git refused the transport: ${firstFatal(stderr)}`);
  return new AppError('unavailable', `git ${what} failed: ${firstFatal(stderr)}`);
}

function hostNameIn(stderr: string): string | null {
  const m = /Host key for (\[[^\]]+\]:\d+|[A-Za-z0-9.-]+) has changed/i.exec(stderr) ?? /for (\[[^\]]+\]:\d+|[A-Za-z0-9.-]+) has changed/i.exec(stderr);
  return m?.[1] ?? null;
}

const firstFatal = (stderr: string) =>
  (stderr.split('\n').find((l) => /^(fatal|error|ERROR):/.test(l.trim())) ?? stderr.trim().split('\n').slice(-1)[0] ?? '').trim().slice(0, 300);
