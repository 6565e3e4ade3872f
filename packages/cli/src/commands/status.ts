import type { Command } from 'commander';
import { createTmux } from '@rdv/core/tmux';
import type { Session } from '@rdv/core/schemas';
import { examples } from '../args.js';
import { contextFor, type CliContext } from '../context.js';
import { runningWebUrl } from './login-link.js';
import { cliCredentials } from '../credentials.js';
import { EXIT } from '../errors.js';
import { duration, tildify } from '../output.js';
import { SERVICE_NAMES, livePid, serviceState, supervisorPidFile, type ServiceState } from '../services.js';

export interface TmuxState {
  socket: string;
  running: boolean;
  sessions: string[];
  error?: string;
}

/** `tmux -L <socket> ls`: the server and its session names. */
export async function tmuxState(socket: string): Promise<TmuxState> {
  const tmux = createTmux({ socket });
  try {
    const sessions = await tmux.listSessions();
    return { socket, running: sessions.length > 0 || (await tmux.serverRunning()), sessions: sessions.map((s) => s.name) };
  } catch (err) {
    return { socket, running: false, sessions: [], error: (err as Error).message };
  }
}

async function sessionCounts(ctx: CliContext): Promise<Record<string, number> | null> {
  if (!cliCredentials(ctx.config())) return null;
  try {
    const { items } = await ctx.api().GET('/api/sessions', { params: { query: { status: 'all' } } });
    const counts: Record<string, number> = { active: 0, suspended: 0, closed: 0, trashed: 0 };
    for (const s of items as Session[]) counts[s.status] = (counts[s.status] ?? 0) + 1;
    return counts;
  } catch {
    // The api is down or refused the token: status still reports what it can see locally.
    return null;
  }
}

const healthCell = (s: ServiceState) => {
  if (!s.built) return 'not built';
  if (s.health === null) return s.alive ? 'running' : 'stopped';
  if (s.health === 'not answering' && !s.alive && !s.socketPresent) return 'stopped';
  const up = s.detail ? ` (up ${duration(s.detail.uptimeSeconds)})` : '';
  return s.health === 'healthy' || s.health === 'degraded' ? `${s.health}${up}` : s.health;
};

/** `rdv status`: exit 0 when every built service is healthy, 3 when none runs, 1 otherwise. */
export async function runStatus(ctx: CliContext): Promise<number> {
  const config = ctx.config();
  const supervisor = livePid(supervisorPidFile(config));
  const services = await Promise.all(SERVICE_NAMES.map((n) => serviceState(config, n)));
  const built = services.filter((s) => s.built);
  const running = built.some((s) => s.alive || s.health === 'healthy');
  const healthy = built.length > 0 && built.every((s) => (s.health === null ? s.alive : s.health === 'healthy'));
  const [sessions, tmux] = await Promise.all([running ? sessionCounts(ctx) : Promise.resolve(null), tmuxState(config.tmux.socket)]);
  const code = healthy ? EXIT.ok : running ? EXIT.failed : EXIT.notRunning;
  if (ctx.out.json) {
    ctx.out.printJson({ running, healthy, home: config.paths.home, supervisor: { pid: supervisor }, services, sessions, tmux });
    return code;
  }
  const head = running
    ? `rdv is ${healthy ? 'running' : 'running, but not healthy'}${supervisor ? ` (supervisor pid ${supervisor})` : ' (no supervisor)'}`
    : 'rdv is not running; start it with `rdv up` (or `npm start`)';
  ctx.out.line(`${head}. RDV_HOME=${tildify(config.paths.home)}`);
  ctx.out.line();
  ctx.out.table(
    ['SERVICE', 'PID', 'ALIVE', 'SOCKET', 'HEALTH'],
    services.map((s) => [
      s.name,
      s.pid === null ? '-' : String(s.pid),
      s.pid === null ? '-' : s.alive ? 'yes' : 'no (stale pid file)',
      s.socket ? `${tildify(s.socket)}${s.socketPresent ? '' : ' (missing)'}` : s.name === 'web' ? (runningWebUrl(config) ?? `tcp ${config.web.listen}`) : '-',
      healthCell(s),
    ]),
  );
  ctx.out.line();
  if (sessions) {
    ctx.out.line(`Sessions  ${sessions.active} active, ${sessions.suspended} suspended, ${sessions.closed} closed`);
  }
  const tmuxLine = tmux.error
    ? `unavailable (${tmux.error})`
    : tmux.running
      ? `server on socket "${tmux.socket}", ${tmux.sessions.length} session(s)${tmux.sessions.length ? `: ${tmux.sessions.slice(0, 8).join(', ')}${tmux.sessions.length > 8 ? ', …' : ''}` : ''}`
      : `no server on socket "${tmux.socket}"`;
  ctx.out.line(`tmux      ${tmuxLine}`);
  return code;
}

/** `rdv status`. */
export function registerStatus(program: Command): void {
  const cmd = program
    .command('status')
    .description('show the services (pids, sockets, health), session counts and the tmux server')
    .addHelpText('after', '\nExit status: 0 healthy, 1 running but unhealthy, 3 not running.')
    .action(async (_opts, command: Command) => {
      process.exitCode = await runStatus(contextFor(command));
    });
  examples(cmd, ['rdv status', 'rdv status --json | jq .services']);
}
