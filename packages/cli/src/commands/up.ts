import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { parentEnv, type RdvConfig } from '@rdv/core/config';
import { ensurePrivateDir, isProcessAlive } from '@rdv/core/lifecycle';
import { countArg, examples, parseArgs } from '../args.js';
import { contextFor, loadCliConfig, type CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { claimSupervisorPid, livePid, probeHealth, supervisorLogFile, supervisorPidFile, waitUntil } from '../services.js';
import { REPO_ROOT, availableServices, superviseServices } from '../supervisor.js';
import { createLoginLink, runningWebUrl } from './login-link.js';

const MAIN_JS = fileURLToPath(new URL('../main.js', import.meta.url));

/** `rdv up --foreground`: run the services here, restart any that dies, stop all on Ctrl-C. */
export async function runForeground(home?: string): Promise<number> {
  const config = loadCliConfig(home);
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const claim = claimSupervisorPid(config);
  if ('owner' in claim) {
    process.stderr.write(`rdv: rdv is already running (supervisor pid ${claim.owner}); stop it with \`rdv down\`\n`);
    return 1;
  }
  const names = availableServices().map((s) => s.name);
  print(`[rdv] starting ${names.join(', ')} (RDV_HOME=${config.paths.home})`);
  const supervisor = superviseServices(config, { print });
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    print('[rdv] stopping services (tmux sessions keep running)…');
    void supervisor.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const { failed } = await supervisor.ready;
  if (!interrupted) {
    if (failed.length) print(`[rdv] not ready: ${failed.join(', ')} — see the messages above and ${config.paths.serverDir}/*.log`);
    print('');
    print('rdv is running.');
    print(`  API socket       ${config.paths.apiSocket}`);
    if (names.includes('terminal')) print(`  Terminal socket  ${config.paths.terminalSocket}`);
    if (names.includes('web')) print(`  Web              ${runningWebUrl(config) ?? `unix socket ${config.web.listen}`}`);
    print(`  CLI token        ${config.paths.cliToken}`);
    print(`  Logs             ${config.paths.serverDir}/<service>.log`);
    print(`  Try              rdv status · rdv session create work · rdv attach work`);
    print('Press Ctrl-C to stop the services; tmux sessions keep running.');
  }
  const code = await supervisor.done;
  claim.release();
  return code;
}

/** The services `up` waits for: every built one with a health socket. */
const healthSockets = (config: RdvConfig) =>
  availableServices().flatMap((s) => (s.healthSocket ? [{ name: s.name, socket: s.healthSocket(config) }] : []));

async function allHealthy(config: RdvConfig): Promise<boolean> {
  const probes = await Promise.all(healthSockets(config).map((s) => probeHealth(s.socket, 1000)));
  return probes.every((p) => p?.status === 200);
}

function logTail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    // No log yet: nothing to show.
    return '';
  }
}

/** Starts the supervisor detached, logging to server/supervisor.log; resolves with its pid. */
function spawnSupervisor(config: RdvConfig): number {
  ensurePrivateDir(config.paths.home);
  ensurePrivateDir(config.paths.serverDir);
  const log = openSync(supervisorLogFile(config), 'a', 0o600);
  try {
    const child = spawn(process.execPath, [MAIN_JS, 'up', '--foreground'], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...parentEnv(), RDV_HOME: config.paths.home },
    });
    child.unref();
    if (!child.pid) throw new CliError('could not start the rdv supervisor');
    return child.pid;
  } finally {
    closeSync(log);
  }
}

async function printRunning(ctx: CliContext, pid: number | null, started: boolean): Promise<void> {
  const config = ctx.config();
  const names = availableServices().map((s) => s.name);
  const web = names.includes('web') ? runningWebUrl(config) : null;
  let login: string | null = null;
  if (names.includes('web')) {
    try {
      login = (await createLoginLink(config, ctx.api())).url;
    } catch (err) {
      ctx.out.note(`rdv: could not make a login link (${(err as Error).message}); try \`rdv login-link\``);
    }
  }
  if (ctx.out.json) {
    ctx.out.printJson({ running: true, started, supervisorPid: pid, services: names, home: config.paths.home, web, loginLink: login });
    return;
  }
  ctx.out.line(started ? `rdv is running (supervisor pid ${pid}).` : `rdv is already running${pid ? ` (supervisor pid ${pid})` : ''}.`);
  const rows: [string, string][] = [];
  if (web) rows.push(['  Web', web]);
  if (login) rows.push(['  Log in', `${login}  (one-time, 10 minutes)`]);
  if (names.includes('web') && !web) rows.push(['  Web', `unix socket ${config.web.listen} (behind cloudflared)`]);
  if (!names.includes('web')) rows.push(['  Web', 'not built (npm run build); use the CLI meanwhile']);
  rows.push(['  API', config.paths.apiSocket]);
  if (names.includes('terminal')) rows.push(['  Terminal', config.paths.terminalSocket]);
  rows.push(['  Logs', '`rdv logs -f`']);
  ctx.out.pairs(rows);
  ctx.out.line('Next: `rdv session create work && rdv attach work`. Stop with `rdv down` (tmux sessions keep running).');
}

/** `rdv up`: start the supervisor in the background and wait until the services are healthy. */
export async function runBackground(ctx: CliContext, timeoutS: number): Promise<void> {
  const config = ctx.config();
  if (!availableServices().length) throw new CliError('rdv is not built; run `npm run build` (or `npm start`) first');
  const running = livePid(supervisorPidFile(config));
  if (running !== null || (livePid(config.paths.pidFile('api')) !== null && (await allHealthy(config)))) {
    await printRunning(ctx, running, false);
    return;
  }
  const pid = spawnSupervisor(config);
  if (!ctx.out.json) ctx.out.note(`starting rdv (RDV_HOME=${config.paths.home})…`);
  const ok = await waitUntil(async () => !isProcessAlive(pid) || (await allHealthy(config)), timeoutS * 1000, 200);
  if (!ok || !isProcessAlive(pid)) {
    const tail = logTail(supervisorLogFile(config), 15);
    if (tail) ctx.out.note(tail);
    if (!isProcessAlive(pid)) throw new CliError('rdv did not start: the supervisor exited; see `rdv logs supervisor` and `rdv doctor`');
    throw new CliError(
      `rdv is not healthy after ${timeoutS} s; the supervisor (pid ${pid}) keeps trying: see \`rdv status\` and \`rdv logs\`, or stop it with \`rdv down\``,
    );
  }
  await printRunning(ctx, pid, true);
}

/** `rdv up [--foreground]`. */
export function registerUp(program: Command): void {
  const cmd = program
    .command('up')
    .description('start the rdv services in the background and wait until they are healthy')
    .option('--foreground', 'run in this terminal instead (what `npm start` does); Ctrl-C stops them', false)
    .option('--timeout <seconds>', 'how long to wait for the services to become healthy', '60')
    .action(async (opts: { foreground: boolean; timeout: string }, command: Command) => {
      const timeoutS = parseArgs(countArg(3600), opts.timeout, '--timeout');
      if (opts.foreground) {
        process.exitCode = await runForeground(command.optsWithGlobals<{ home?: string }>().home);
        return;
      }
      await runBackground(contextFor(command), timeoutS);
    });
  examples(cmd, ['rdv up                 # start, print the web URL and a login link', 'rdv up --foreground    # run attached to this terminal', 'rdv up --json']);
}
