import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Agent } from '../schemas/index.js';
import { AGENT_COMMANDS, programOf } from './agents.js';

/** A folder's knowledge for a new agent session, and the session's own private directory to leave it in. */
export interface StartupKnowledge {
  markdown: string;
  dir: string;
}

export const KNOWLEDGE_FILE = 'knowledge.md';
const CODEX_FILE = 'knowledge.toml';

const PROMPT_LEAD =
  'Below is what rdv keeps about the folder you work in (notes from people and earlier agents). Read it, say in one line that you have, and wait for instructions.\n\n';

/**
 * How each agent takes extra instructions for one run without touching the repository's
 * files: the file to write and the words to add to its command line. The file's path is
 * rdv's own (an id under RDV_HOME, nothing to quote); the shell reads it with `$(cat …)`
 * inside double quotes, so the text is passed as it is and never parsed by the shell.
 *  - claude: `--append-system-prompt`, added to its system prompt.
 *  - codex: `-c developer_instructions=…`, a TOML string (JSON's escapes are TOML's).
 *  - gemini: `--prompt-interactive`, the knowledge as the opening message (no flag adds to its system prompt).
 *  - opencode: `--prompt`, the same.
 */
const HOW: Record<Exclude<Agent, 'custom'>, { file: string; content: (md: string) => string; args: (path: string) => string }> = {
  claude: { file: KNOWLEDGE_FILE, content: (md) => md, args: (p) => `--append-system-prompt "$(cat '${p}')"` },
  codex: { file: CODEX_FILE, content: (md) => JSON.stringify(md), args: (p) => `-c "developer_instructions=$(cat '${p}')"` },
  gemini: { file: KNOWLEDGE_FILE, content: (md) => PROMPT_LEAD + md, args: (p) => `--prompt-interactive "$(cat '${p}')"` },
  opencode: { file: KNOWLEDGE_FILE, content: (md) => PROMPT_LEAD + md, args: (p) => `--prompt "$(cat '${p}')"` },
};

// Inside single quotes every character but the quote itself is literal.
const SAFE_PATH = /^\/[^'\u0000-\u001f\u007f]+$/;

/**
 * The agent command line with the folder's knowledge handed to the agent, having written
 * it (0600) under `k.dir`; the command line as it was for a custom agent, a command that
 * does not start the agent's own program (a wrapper script), or a path with a quote in it.
 */
export function commandWithKnowledge(agent: Agent | null, command: string, k: StartupKnowledge): string {
  if (!agent || agent === 'custom') return command;
  const how = HOW[agent];
  const program = programOf(command);
  if (!program || basename(program) !== AGENT_COMMANDS[agent]) return command;
  const path = join(k.dir, how.file);
  if (!SAFE_PATH.test(path)) return command;
  try {
    mkdirSync(k.dir, { recursive: true, mode: 0o700 });
    writeFileSync(path, how.content(k.markdown), { mode: 0o600 });
    chmodSync(path, 0o600);
  } catch {
    // The agent starts without the knowledge rather than not at all.
    return command;
  }
  return `${command} ${how.args(path)}`;
}
