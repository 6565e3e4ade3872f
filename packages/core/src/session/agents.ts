import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { basename, delimiter, isAbsolute, join } from 'node:path';
import { AppError } from '../errors/index.js';
import type { Agent, CreateSession } from '../schemas/index.js';

/** The command each known agent starts with; `custom` needs one given. */
export const AGENT_COMMANDS: Record<Exclude<Agent, 'custom'>, string> = {
  claude: 'claude',
  codex: 'codex',
  gemini: 'gemini',
  opencode: 'opencode',
};

/**
 * The agent an agent session runs and the command line typed to start it: the request's
 * agent (or `custom` when only a command is given, else the inherited default), and the
 * request's command or the agent's own. invalid_input when neither says.
 */
export function resolveAgent(input: Pick<CreateSession, 'agent' | 'command'>, defaultAgent: Agent | null): { agent: Agent; command: string } {
  const agent = input.agent ?? (input.command ? 'custom' : defaultAgent);
  if (!agent) throw new AppError('invalid_input', 'agent: say which agent to run (claude, codex, gemini, opencode or custom)');
  const command = input.command ?? (agent === 'custom' ? null : AGENT_COMMANDS[agent]);
  if (!command) throw new AppError('invalid_input', 'command: a custom agent needs a command');
  return { agent, command };
}

// First words the shell handles itself (builtins, keywords): there is no file to look for.
const SHELL_WORDS = new Set(
  ('. : [ [[ ! { ( alias bg break builtin case cd command continue declare echo eval exec exit export false fg for ' +
    'function getopts hash if jobs kill let local printf pwd read readonly return set shift source test time ' +
    'times trap true type typeset ulimit umask unalias unset until wait while').split(' '),
);
// A program name or absolute path; anything else ($VAR, ~, quotes, FOO=bar) is for the shell to expand.
const PROGRAM_WORD = /^[\w.+@%/-]+$/;

/** The program a command line starts, or null when only the shell can say (builtins, expansions, relative paths). */
export function programOf(commandLine: string): string | null {
  const word = commandLine.trim().split(/\s+/, 1)[0] ?? '';
  if (!word || SHELL_WORDS.has(word) || !PROGRAM_WORD.test(word)) return null;
  if (word.includes('/') && !isAbsolute(word)) return null;
  return word;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Where `program` is: itself when it is an absolute path, else the first executable file
 * of that name in `pathVar`'s directories. Null when there is none, or `undefined` when a
 * relative PATH entry (resolved from the shell's cwd) leaves it open.
 */
export function findProgram(program: string, pathVar: string | undefined): string | null | undefined {
  if (isAbsolute(program)) return isExecutableFile(program) ? program : null;
  let open = false;
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) {
      open = true;
      continue;
    }
    if (isExecutableFile(join(dir, program))) return join(dir, program);
  }
  return open ? undefined : null;
}

// Shells that take `-l -c script name args` and know `command -v`.
const POSIX_SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash']);

/**
 * Asks the session's login shell whether it finds `program`: a login shell's profile may
 * set PATH anew (Debian's /etc/profile does; ~/.profile adds ~/.local/bin), so a program
 * missing from the environment's PATH may still be there. true/false, or null when the
 * shell could not tell (not a POSIX shell, failed to start, too slow).
 */
function loginShellFinds(shell: string, program: string, env: Record<string, string>, cwd: string | undefined): Promise<boolean | null> {
  if (!POSIX_SHELLS.has(basename(shell))) return Promise.resolve(null);
  return new Promise((resolve) => {
    execFile(shell, ['-l', '-c', 'command -v -- "$1"', 'rdv-check', program], { env, cwd, timeout: 5000 }, (err, stdout) => {
      if (!err) return resolve(String(stdout).trim() !== '');
      // Not found: bash says 1, dash 127. Anything else (no shell, a timeout) tells nothing.
      resolve(!err.killed && (err.code === 1 || err.code === 127) ? false : null);
    });
  });
}

export interface InstalledCheck {
  /** The session's environment: tmux's, with the session's own on top. */
  env: Record<string, string>;
  /** The shell the session starts (as a login shell). */
  shell: string;
  /** Where it starts, when known already. */
  cwd?: string;
}

/**
 * Refuses (invalid_input, naming the program) an agent command line whose program is not
 * installed where the session will look: not on the environment's PATH, and not found by
 * the session's login shell either. Command lines only the shell can judge pass.
 */
export async function requireInstalled(commandLine: string, check: InstalledCheck): Promise<void> {
  const program = programOf(commandLine);
  if (!program) return;
  const found = findProgram(program, check.env.PATH);
  if (found !== null) return;
  if (!isAbsolute(program) && (await loginShellFinds(check.shell, program, check.env, check.cwd)) !== false) return;
  const where = isAbsolute(program) ? 'no executable file at that path' : 'not found on PATH';
  throw new AppError('invalid_input', `"${program}" is not installed here (${where}); install it or pick another agent`);
}
