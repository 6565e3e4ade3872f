// The one place rdv reads its process environment (besides loadConfig): what children get.

/**
 * The environment for tmux and everything it spawns: the caller's, minus tmux's own
 * markers (a nested client would refuse to start), rdv's settings and secrets, and npm's
 * run-script noise. Without any locale set, LANG=C.UTF-8 is added.
 */
export function sanitizedEnv(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value === undefined) continue;
    if (key === 'TMUX' || key === 'TMUX_PANE') continue;
    if (key.startsWith('RDV_')) continue;
    if (key.startsWith('npm_') || key === 'INIT_CWD') continue;
    out[key] = value;
  }
  // tmux needs a UTF-8 locale to pass non-ASCII through (and agents print plenty of it).
  if (!out.LC_ALL && !out.LC_CTYPE && !out.LANG) out.LANG = 'C.UTF-8';
  return out;
}

/**
 * The environment this process was started with, for a child that inherits it whole
 * (rdv's own services under the supervisor). Anything else gets `sanitizedEnv()`.
 */
export function parentEnv(): NodeJS.ProcessEnv {
  return process.env;
}
