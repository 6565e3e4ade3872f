import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../errors/index.js';
import { TMUX_NAME_PATTERN } from '../tmux/index.js';

/**
 * How a session's program exited. tmux forgets a pane's exit status when it destroys
 * the pane (and with `remain-on-exit`, tmux 3.3 may not reap the process until another
 * of its children exits, leaving the pane dead without a status). So the session's
 * shell runs under a small `sh` that waits for it, writes its status to
 * `<dir>/<tmux name>` and exits with the same status. The file is there before the pane
 * closes, so whoever sees the session end can read it.
 */

/** `$0` of the wrapper, which is how /proc tells it from the shell it runs. */
export const EXIT_WRAPPER_NAME = 'rdv-exit-status';

// $1 is the status file; the rest is the command (default: tmux's shell, as a login shell).
// `$?` of a program killed by a signal is 128 + the signal, as a shell reports it.
const SCRIPT = [
  'f=$1; shift',
  'if [ "$#" -eq 0 ]; then set -- "${SHELL:-/bin/sh}" -l; fi',
  '"$@"',
  's=$?',
  `{ printf '%s\\n' "$s" > "$f"; } 2>/dev/null`,
  'exit "$s"',
].join('\n');

export const exitStatusFile = (dir: string, tmuxName: string): string => {
  if (!TMUX_NAME_PATTERN.test(tmuxName)) throw new AppError('invalid_input', `invalid tmux session name: ${JSON.stringify(tmuxName)}`);
  return join(dir, tmuxName);
};

/** argv for tmux new-session: `command` (or the default shell) under the status-writing wrapper. */
export function exitWrapperArgv(file: string, command?: string[]): string[] {
  return ['/bin/sh', '-c', SCRIPT, EXIT_WRAPPER_NAME, file, ...(command ?? [])];
}

/** Readies `<dir>` and removes what an earlier session of this name left there. */
export function prepareExitStatus(dir: string, tmuxName: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = exitStatusFile(dir, tmuxName);
  rmSync(file, { force: true });
  return file;
}

/** The recorded status, or null when there is none (killed with its session, or never ended). */
export function readExitStatus(dir: string, tmuxName: string): number | null {
  let text: string;
  try {
    text = readFileSync(exitStatusFile(dir, tmuxName), 'utf8');
  } catch {
    return null;
  }
  const trimmed = text.trim();
  return /^\d{1,3}$/.test(trimmed) ? Number(trimmed) : null;
}

/**
 * Removes status files older than `maxAgeMs` whose session is not in `live`. Each reader
 * (the terminal service telling its clients, the api recording the row) reads a status
 * within moments of the session's end; a minute is plenty.
 */
export function pruneExitStatuses(dir: string, live: Set<string>, maxAgeMs: number, now = Date.now()): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (live.has(name) || !TMUX_NAME_PATTERN.test(name)) continue;
    const file = join(dir, name);
    try {
      if (now - statSync(file).mtimeMs < maxAgeMs) continue;
      rmSync(file, { force: true });
      removed++;
    } catch {
      // Removed by someone else meanwhile.
    }
  }
  return removed;
}
