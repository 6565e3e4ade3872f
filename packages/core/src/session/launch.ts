import { statSync } from 'node:fs';
import { AppError } from '../errors/index.js';
import { outputDir, outputLogPipe } from '../output/index.js';
import type { Tmux } from '../tmux/index.js';
import { exitWrapperArgv, prepareExitStatus } from './exit-status.js';
import type { SessionRow } from './rows.js';

export interface LaunchDeps {
  tmux: Tmux;
  /** Shell to start (argv[0]); empty means tmux's default (the login shell of $SHELL). */
  shell: string;
  apiSocket: string;
  exitStatusDir?: string;
  /** Where sessions' output logs go, and their rotation size; without it, nothing is logged. */
  output?: { sessionsDir: string; maxBytes: number };
}

/** The shell a session starts with, as `deps.shell` says or, when empty, as tmux picks it from `env`. */
export const sessionShell = (shell: string, env: Record<string, string>): string => shell || env.SHELL || '/bin/sh';

/** invalid_input unless `cwd` is an existing directory. */
export function checkCwd(cwd: string): void {
  let ok = false;
  try {
    ok = statSync(cwd).isDirectory();
  } catch {
    // Not there (or not readable): reported below as a bad cwd.
  }
  if (!ok) throw new AppError('invalid_input', `cwd: ${cwd} does not exist or is not a directory`);
}

/**
 * Starts a session row's tmux session: its login shell under the exit-status wrapper (when
 * statuses are kept), in its cwd, with its env and RDV_SESSION_ID / RDV_API_SOCKET, its
 * output appended to its log from the first byte (when logs are kept); then, for an agent,
 * types its command, or `line` when given (a restored agent's resume command). The caller
 * kills the tmux session if this fails half way.
 */
export async function launchSession(deps: LaunchDeps, r: SessionRow, size?: { cols?: number; rows?: number }, line?: string | null): Promise<void> {
  const { tmux } = deps;
  const shell = deps.shell ? [deps.shell, '-l'] : undefined;
  const exitDir = deps.exitStatusDir;
  await tmux.newSession({
    name: r.tmuxName,
    cwd: r.cwd,
    cols: size?.cols,
    rows: size?.rows,
    env: { ...(r.env ?? {}), RDV_SESSION_ID: r.id, RDV_API_SOCKET: deps.apiSocket },
    command: exitDir ? exitWrapperArgv(prepareExitStatus(exitDir, r.tmuxName), shell) : shell,
    pipe: deps.output ? outputLogPipe(outputDir(deps.output.sessionsDir, r.id), deps.output.maxBytes) : undefined,
  });
  const typed = line ?? (r.kind === 'agent' ? r.command : null);
  if (typed) {
    await tmux.sendLiteral(r.tmuxName, typed);
    await tmux.sendKeys(r.tmuxName, ['Enter']);
  }
}
