import { rmSync } from 'node:fs';
import type { Command } from 'commander';
import { isProcessAlive, readPid } from '@rdv/core/lifecycle';
import { examples } from '../args.js';
import { contextFor, type CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { SERVICE_NAMES, livePid, supervisorPidFile, terminate, waitUntil } from '../services.js';

/** The supervisor gives its children 10 s before SIGKILL; wait a little longer than that. */
const SUPERVISOR_WAIT_MS = 15_000;
const SERVICE_WAIT_MS = 10_000;

/**
 * `rdv down`: SIGTERM to the supervisor (which stops its children); without one, SIGTERM
 * to the services named in server/*.pid. Only pids rdv recorded are signalled; tmux
 * sessions are left running. Idempotent.
 */
export async function runDown(ctx: CliContext): Promise<void> {
  const config = ctx.config();
  const stopped: string[] = [];
  const stuck: string[] = [];
  const supervisorFile = supervisorPidFile(config);
  const supervisor = livePid(supervisorFile);
  if (supervisor !== null) {
    if (!ctx.out.json) ctx.out.note(`stopping rdv (supervisor pid ${supervisor})…`);
    if (await terminate(supervisor, SUPERVISOR_WAIT_MS)) stopped.push(`supervisor (pid ${supervisor})`);
    else stuck.push(`supervisor (pid ${supervisor})`);
  } else if (readPid(supervisorFile) !== null) {
    // It names a dead process: a leftover of a supervisor that crashed.
    rmSync(supervisorFile, { force: true });
  }
  for (const name of SERVICE_NAMES) {
    const file = config.paths.pidFile(name);
    const pid = livePid(file);
    if (pid === null) continue;
    const ok = await terminate(pid, SERVICE_WAIT_MS);
    (ok ? stopped : stuck).push(`${name} (pid ${pid})`);
  }
  // Services remove their own pid files on exit; give the last ones a moment.
  await waitUntil(() => SERVICE_NAMES.every((n) => !isProcessAlive(readPid(config.paths.pidFile(n)) ?? -1)), 2000);
  if (ctx.out.json) ctx.out.printJson({ stopped, stuck, wasRunning: stopped.length + stuck.length > 0 });
  if (stuck.length) {
    throw new CliError(`could not stop ${stuck.join(', ')} in time; check \`rdv status\`, then kill the pid yourself if needed`);
  }
  if (ctx.out.json) return;
  if (!stopped.length) ctx.out.line('rdv is not running; nothing to stop.');
  else ctx.out.line(`rdv stopped: ${stopped.join(', ')}. tmux sessions keep running; \`rdv up\` picks them up again.`);
}

/** `rdv down`. */
export function registerDown(program: Command): void {
  const cmd = program
    .command('down')
    .description('stop the rdv services (tmux sessions keep running)')
    .action(async (_opts, command: Command) => runDown(contextFor(command)));
  examples(cmd, ['rdv down', 'rdv down && rdv up    # restart']);
}
