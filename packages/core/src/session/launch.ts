import { statSync } from 'node:fs';
import { issueHookToken } from '../auth/index.js';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { outputDir, outputLogPipe } from '../output/index.js';
import type { Agent } from '../schemas/index.js';
import type { Tmux } from '../tmux/index.js';
import { prepareAgentLaunch, type AgentHookConfig } from './agent-hooks.js';
import { exitWrapperArgv, prepareExitStatus } from './exit-status.js';
import type { SessionRow } from './rows.js';
import { commandWithKnowledge, type StartupKnowledge } from './startup-knowledge.js';

export interface LaunchDeps {
  db: Db;
  tmux: Tmux;
  /** Shell to start (argv[0]); empty means tmux's default (the login shell of $SHELL). */
  shell: string;
  apiSocket: string;
  exitStatusDir?: string;
  /** Where sessions' output logs go, and their rotation size; without it, nothing is logged. */
  output?: { sessionsDir: string; maxBytes: number };
  /** How agents are started with rdv's hooks; without it, agents run as typed (screen only). */
  agentHooks?: AgentHookConfig | null;
  /** The folder's knowledge an agent session starts with (null: none), and where to leave it. */
  startupKnowledge?: (r: SessionRow) => StartupKnowledge | null;
  /** Starts (or finds) the ssh-agent of a session that works as an identity; its socket, or null when it could not start. */
  sshAgent?: (r: SessionRow) => Promise<string | null>;
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
 * statuses are kept), in its cwd, with its env and RDV_SESSION_ID / RDV_API_SOCKET /
 * RDV_HOOK_TOKEN (a new hook credential, scoped to this session), its output appended to
 * its log from the first byte (when logs are kept); then, for an agent, types its command
 * (with its folder's knowledge), or `line` when given (a restored agent's resume command),
 * with rdv's hooks where the agent has them (agent-hooks.ts). The caller kills the tmux
 * session if this fails half way.
 */
export async function launchSession(deps: LaunchDeps, r: SessionRow, size?: { cols?: number; rows?: number }, line?: string | null): Promise<void> {
  const { tmux } = deps;
  const shell = deps.shell ? [deps.shell, '-l'] : undefined;
  const exitDir = deps.exitStatusDir;
  const own: Record<string, string> = { ...(r.env ?? {}), RDV_SESSION_ID: r.id, RDV_API_SOCKET: deps.apiSocket, RDV_HOOK_TOKEN: issueHookToken(deps.db, r.id) };
  const agentSocket = r.identityId && deps.sshAgent ? await deps.sshAgent(r) : null;
  if (agentSocket) own.SSH_AUTH_SOCK = agentSocket;
  const launch =
    r.kind === 'agent' && r.command
      ? prepareAgentLaunch(deps.agentHooks ?? null, { id: r.id, agent: (r.agent as Agent | null) ?? null, command: line ?? r.command }, { ...tmux.env, ...own })
      : null;
  await tmux.newSession({
    name: r.tmuxName,
    cwd: r.cwd,
    cols: size?.cols,
    rows: size?.rows,
    env: { ...own, ...(launch?.env ?? {}) },
    command: exitDir ? exitWrapperArgv(prepareExitStatus(exitDir, r.tmuxName), shell) : shell,
    pipe: deps.output ? outputLogPipe(outputDir(deps.output.sessionsDir, r.id), deps.output.maxBytes) : undefined,
  });
  if (launch) {
    // A resumed conversation has had its folder's knowledge already.
    const knowledge = line ? null : deps.startupKnowledge?.(r);
    const typed = knowledge ? commandWithKnowledge(r.agent as Agent | null, launch.line, knowledge) : launch.line;
    await tmux.sendLiteral(r.tmuxName, typed, { thenKeys: ['Enter'] });
  }
}
