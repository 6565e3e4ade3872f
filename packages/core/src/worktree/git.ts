import { simpleGit, type SimpleGit } from 'simple-git';
import { parentEnv } from '../config/index.js';
import { AppError } from '../errors/index.js';

// Only what git needs to find the user's config; editors, askpass and ssh overrides stay out
// (simple-git refuses them anyway, and nothing here talks to a remote or asks a question).
const PASSED_ENV = ['PATH', 'HOME', 'USER', 'TMPDIR', 'XDG_CONFIG_HOME', 'GIT_CONFIG_GLOBAL', 'GIT_CONFIG_NOSYSTEM'];

/** The environment every git rdv runs gets: never prompts, C locale, the user's config found. */
export function gitEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
  const parent = parentEnv();
  for (const key of PASSED_ENV) if (parent[key] !== undefined) env[key] = parent[key]!;
  return { ...env, ...extra };
}

/** A simple-git instance in `dir` that never prompts (git uses no pager when not on a terminal). */
export function gitIn(dir: string): SimpleGit {
  const env = gitEnv();
  return simpleGit({
    baseDir: dir,
    binary: 'git',
    maxConcurrentProcesses: 4,
    trimmed: false,
    // GIT_CONFIG_GLOBAL / GIT_CONFIG_NOSYSTEM come from rdv's own environment (the user's
    // choice), never from a request.
    unsafe: { allowUnsafeConfigPaths: true },
  }).env(env);
}

/** Runs git with an argv array; a failure becomes AppError (`code`) with git's own message. */
export async function git(dir: string, args: string[], code: 'invalid_input' | 'conflict' | 'unavailable' = 'unavailable'): Promise<string> {
  try {
    return await gitIn(dir).raw(args);
  } catch (err) {
    const message = (err as Error).message.trim().split('\n').slice(0, 3).join(' ');
    throw new AppError(code, `git ${args[0]} failed: ${message}`, { cause: err });
  }
}

/** Like git() but returns null instead of throwing (for probes such as "does this ref exist"). */
export async function gitOrNull(dir: string, args: string[]): Promise<string | null> {
  try {
    return await gitIn(dir).raw(args);
  } catch {
    // A failing probe is the answer ("no such ref"), not an error.
    return null;
  }
}
