// Each agent session starts with hooks that run `rdv hook <agent>`, so the agent reports its
// own state (waiting for permission, a question, turn finished, …) instead of rdv guessing
// from its screen. Nothing of the user's own agent configuration is touched: every file is
// written for one session, in a private folder of its own, and handed to the agent by a
// flag or an environment variable that adds to the user's settings.
//
//   Claude Code  `claude --settings <file>`: its hook arrays merge with the user's.
//   Codex        `codex -c 'notify=[…]'`: turn finished only (its other hooks need trust).
//   Gemini CLI   GEMINI_CLI_SYSTEM_DEFAULTS_PATH=<file>: the lowest settings layer; hook
//                arrays concatenate with the user's. Skipped when the system already has one.
//   OpenCode     OPENCODE_CONFIG_DIR=<dir> with plugins/rdv.js, which forwards bus events.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Agent } from '../schemas/index.js';

export interface AgentHookConfig {
  /** How to run `rdv`: [node, …/packages/cli/dist/main.js]. */
  rdvArgv: string[];
  /** RDV_HOME/run/sessions: each session's private folder goes here (0700, files 0600). */
  runDir: string;
}

export interface AgentLaunch {
  /** The command line to type. */
  line: string;
  /** Added to the session's environment. */
  env: Record<string, string>;
  /** Whether the agent reports through hooks (false: only its screen tells). */
  hooked: boolean;
}

/** Where Gemini CLI looks for system defaults unless told otherwise. */
const GEMINI_SYSTEM_DEFAULTS = '/etc/gemini-cli/system-defaults.json';

/** A word for a POSIX shell (and fish): as it is when safe, else single-quoted. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The hook command for `sh -c`: every argv element quoted, so paths with spaces survive. */
export const hookCommand = (rdvArgv: readonly string[], agent: string): string => [...rdvArgv, 'hook', agent].map(shellWord).join(' ');

/** `claude … rest` → `claude <flags> … rest`: the flags go right after the program. */
function withFlags(command: string, flags: string[]): string {
  const m = /^(\s*\S+)(.*)$/s.exec(command);
  if (!m) return command;
  return `${m[1]} ${flags.map(shellWord).join(' ')}${m[2]}`;
}

const CLAUDE_EVENTS = ['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PermissionRequest', 'PostToolUse', 'PreCompact', 'Stop', 'StopFailure', 'SessionEnd'];
const GEMINI_EVENTS = ['SessionStart', 'BeforeAgent', 'BeforeTool', 'AfterTool', 'Notification', 'PreCompress', 'AfterAgent', 'SessionEnd'];

/** Claude Code settings with one rdv hook per event (Notification for permission, idle and elicitation). */
export function claudeSettings(command: string): unknown {
  const handler = [{ type: 'command', command, timeout: 10 }];
  const hooks: Record<string, unknown[]> = {};
  for (const event of CLAUDE_EVENTS) hooks[event] = [{ hooks: handler }];
  hooks.Notification = [{ matcher: 'permission_prompt|idle_prompt|elicitation_dialog', hooks: handler }];
  return { hooks };
}

/** Gemini CLI settings (a defaults layer) with one rdv hook per event; timeout in ms. */
export function geminiSettings(command: string): unknown {
  const hooks: Record<string, unknown[]> = {};
  for (const event of GEMINI_EVENTS) hooks[event] = [{ hooks: [{ type: 'command', command, name: 'rdv', timeout: 5000 }] }];
  return { hooks };
}

/** OpenCode plugin: forwards the root session's state events to `rdv hook opencode` on stdin, fire and forget. */
export function openCodePlugin(rdvArgv: readonly string[]): string {
  const argv = JSON.stringify([...rdvArgv, 'hook', 'opencode']);
  return `// Written by rdv for one session: tells rdv when OpenCode waits for you. Never throws.
import { spawn } from 'node:child_process';

const ARGV = ${argv};
const FORWARD = new Set(['session.created', 'session.status', 'session.idle', 'session.error', 'permission.asked', 'permission.updated',
  'permission.replied', 'question.asked', 'question.replied', 'question.rejected']);

/** One hook run; resolves when it is over, whatever happened. */
const send = (payload) =>
  new Promise((resolve) => {
    try {
      const child = spawn(ARGV[0], ARGV.slice(1), { stdio: ['pipe', 'ignore', 'ignore'], env: process.env });
      child.on('error', () => resolve());
      child.on('close', () => resolve());
      child.stdin.on('error', () => {});
      child.stdin.end(payload);
    } catch {
      resolve();
    }
  });

export const RdvPlugin = async () => {
  const children = new Set();
  // One at a time, in order: "busy" must not overtake the "permission" that followed it.
  let queue = Promise.resolve();
  return {
    event: async ({ event }) => {
      try {
        if (!event || !FORWARD.has(event.type)) return;
        const properties = event.properties || {};
        const info = properties.info || {};
        // Subagents run in child sessions: their idles are not the agent's.
        if (event.type === 'session.created' && info.parentID) return void children.add(info.id);
        if (children.has(properties.sessionID)) return;
        const payload = JSON.stringify({ type: event.type, properties });
        queue = queue.then(() => send(payload));
      } catch {
        // rdv being away must never disturb OpenCode.
      }
    },
  };
};
`;
}

const write = (file: string, text: string) => writeFileSync(file, text, { mode: 0o600 });

/** The session's private folder (0700), made afresh. */
function sessionDir(runDir: string, sessionId: string): string {
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  const dir = join(runDir, sessionId);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

/**
 * What to type and set to start an agent with rdv's hooks, writing the session's files.
 * A custom command, a command line that does not start with the agent's program, or an
 * environment that already points the agent elsewhere gets no hooks (the screen tells).
 */
export function prepareAgentLaunch(
  cfg: AgentHookConfig | null,
  r: { id: string; agent: Agent | null; command: string },
  env: Readonly<Record<string, string | undefined>>,
): AgentLaunch {
  const plain: AgentLaunch = { line: r.command, env: {}, hooked: false };
  const program = /^\s*(\S+)/.exec(r.command)?.[1]?.split('/').pop();
  if (!cfg || !r.agent || r.agent === 'custom' || program !== r.agent) return plain;
  const command = hookCommand(cfg.rdvArgv, r.agent);
  switch (r.agent) {
    case 'claude': {
      const file = join(sessionDir(cfg.runDir, r.id), 'claude-settings.json');
      write(file, JSON.stringify(claudeSettings(command), null, 2));
      return { line: withFlags(r.command, ['--settings', file]), env: {}, hooked: true };
    }
    case 'codex': {
      const notify = `notify=[${[...cfg.rdvArgv, 'hook', 'codex'].map((a) => JSON.stringify(a)).join(',')}]`;
      return { line: withFlags(r.command, ['-c', notify]), env: {}, hooked: true };
    }
    case 'gemini': {
      if (env.GEMINI_CLI_SYSTEM_DEFAULTS_PATH || existsSync(GEMINI_SYSTEM_DEFAULTS)) return plain;
      const file = join(sessionDir(cfg.runDir, r.id), 'gemini-defaults.json');
      write(file, JSON.stringify(geminiSettings(command), null, 2));
      return { line: r.command, env: { GEMINI_CLI_SYSTEM_DEFAULTS_PATH: file }, hooked: true };
    }
    case 'opencode': {
      if (env.OPENCODE_CONFIG_DIR) return plain;
      const dir = join(sessionDir(cfg.runDir, r.id), 'opencode');
      mkdirSync(join(dir, 'plugins'), { recursive: true, mode: 0o700 });
      write(join(dir, 'plugins', 'rdv.js'), openCodePlugin(cfg.rdvArgv));
      return { line: r.command, env: { OPENCODE_CONFIG_DIR: dir }, hooked: true };
    }
  }
}

/** Removes a session's hook files (it closed). */
export function removeAgentHooks(runDir: string, sessionId: string): void {
  rmSync(join(runDir, sessionId), { recursive: true, force: true });
}
