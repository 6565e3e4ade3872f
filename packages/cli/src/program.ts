import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerAttach } from './commands/attach.js';
import { registerCompletion } from './commands/completion.js';
import { registerDoctor } from './commands/doctor.js';
import { registerDown } from './commands/down.js';
import { registerFolder } from './commands/folder.js';
import { registerHook } from './commands/hook.js';
import { registerHooks } from './commands/hooks.js';
import { registerIdentity } from './commands/identity.js';
import { registerHost } from './commands/host.js';
import { registerKnowledge } from './commands/knowledge.js';
import { registerLoginLink } from './commands/login-link.js';
import { registerLogin } from './commands/login.js';
import { registerLogs } from './commands/logs.js';
import { registerMcp } from './commands/mcp.js';
import { registerNotify } from './commands/notify.js';
import { registerOrchestrator } from './commands/orchestrator.js';
import { registerRepo } from './commands/repo.js';
import { registerSearch } from './commands/search.js';
import { registerService } from './commands/service.js';
import { registerSession } from './commands/session.js';
import { registerStatus } from './commands/status.js';
import { registerToken } from './commands/token.js';
import { registerUp } from './commands/up.js';
import { registerWorktree } from './commands/worktree.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const OVERVIEW = `
Getting started:
  rdv up                              start the services, print the web URL and a login link
  rdv session create work --cwd .     start a shell session here
  rdv attach work                     attach to it (detach with Ctrl-])
  rdv status                          what is running
  rdv search "error text"             find where something was printed, in any session
  rdv service install                 start rdv with your session (and at boot, with lingering)

Sessions are addressed by name or id (an id prefix works too). Every command takes --json
for scripts. Exit status: 0 ok, 1 the operation failed, 2 bad usage, 3 rdv is not running.
Credentials: RDV_TOKEN, else RDV_HOME/cli-token (RDV_HOME defaults to ~/.remote-dev).`;

/** Gives every command a one-line error format: "rdv session create: <message> (see --help)". */
function configureErrors(cmd: Command): void {
  const path: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) path.unshift(c.name());
  const name = path.join(' ');
  cmd.configureOutput({
    outputError: (text, write) => {
      const message = text.trim().replace(/^error: /, '').replace(/\n+/g, ' ');
      write(`${name}: ${message} (see \`${name} --help\`)\n`);
    },
  });
  cmd.exitOverride();
  for (const sub of cmd.commands) configureErrors(sub);
}

/** The whole `rdv` command tree; a new one per run (no module-level state). */
export function createProgram(): Command {
  const program = new Command('rdv')
    .description('rdv: terminal sessions for you and your coding agents, reachable from the browser, this CLI and MCP clients')
    .version(VERSION, '-V, --version')
    .option('--json', 'print results as JSON (the API objects as they are)')
    .option('--home <dir>', 'use this RDV_HOME instead of $RDV_HOME or ~/.remote-dev')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .addHelpText('after', OVERVIEW)
    .showSuggestionAfterError(true);

  registerUp(program);
  registerDown(program);
  registerStatus(program);
  registerDoctor(program);
  registerLogs(program);
  registerSession(program);
  registerSearch(program);
  registerAttach(program);
  registerHost(program);
  registerFolder(program);
  registerKnowledge(program);
  registerHooks(program);
  registerWorktree(program);
  registerIdentity(program);
  registerRepo(program);
  registerOrchestrator(program);
  registerToken(program);
  registerNotify(program);
  registerLoginLink(program);
  registerLogin(program);
  registerMcp(program);
  registerService(program);
  registerHook(program);
  registerCompletion(program);
  configureErrors(program);
  return program;
}
