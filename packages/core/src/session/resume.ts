import { basename } from 'node:path';
import { readOutput } from '../output/index.js';
import type { Agent } from '../schemas/index.js';
import { AGENT_COMMANDS, programOf } from './agents.js';

/** What an agent's own conversation id may look like before it is typed into a shell. */
export const AGENT_SESSION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

type KnownAgent = Exclude<Agent, 'custom'>;

/**
 * How each agent resumes a conversation by its id, and the line it prints on exit that
 * names it (docs: Claude "Resume this session with: claude --resume <id>", Codex "To
 * continue this session, run codex resume <id>", Gemini "To resume this session: gemini
 * --resume <id>", OpenCode "Continue  opencode -s ses_…").
 */
const RESUME: Record<KnownAgent, { args: (id: string) => string; exitText: RegExp }> = {
  claude: { args: (id) => `--resume ${id}`, exitText: /\bclaude (?:--resume|-r) ([A-Za-z0-9][A-Za-z0-9._:-]*)/g },
  codex: { args: (id) => `resume ${id}`, exitText: /\bcodex resume ([A-Za-z0-9][A-Za-z0-9._:-]*)/g },
  gemini: { args: (id) => `--resume ${id}`, exitText: /\bgemini (?:--resume|-r) ([A-Za-z0-9][A-Za-z0-9._:-]*)/g },
  opencode: { args: (id) => `-s ${id}`, exitText: /\bopencode (?:-s|--session) (ses_[A-Za-z0-9]+)/g },
};

const isKnown = (agent: string | null): agent is KnownAgent => agent !== null && agent in RESUME;

// Words a command line can have and still take more arguments at its end: no shell syntax.
const PLAIN_LINE = /^[\w./@%+=:,-]+(?:[ \t]+[\w./@%+=:,-]+)*$/;

/**
 * The line that resumes an agent's conversation: the session's own command line (so its
 * flags stay) with the agent's resume arguments added, or the agent's bare program when
 * that line is not a plain call of it. Null for an agent rdv cannot resume, or an id that
 * could not be typed safely.
 */
export function resumeLine(agent: string | null, command: string | null, agentSessionId: string): string | null {
  if (!isKnown(agent) || !AGENT_SESSION_ID_PATTERN.test(agentSessionId)) return null;
  const program = AGENT_COMMANDS[agent];
  const line = command?.trim() ?? '';
  const own = PLAIN_LINE.test(line) && basename(programOf(line) ?? '') === program;
  return `${own ? line : program} ${RESUME[agent].args(agentSessionId)}`;
}

/** The last conversation id the agent named in its exit text, in `text`; null when none. */
export function agentIdFromText(agent: string | null, text: string): string | null {
  if (!isKnown(agent)) return null;
  let found: string | null = null;
  for (const m of text.matchAll(RESUME[agent].exitText)) {
    // A sentence may end right after the id.
    const id = m[1]!.replace(/[.:]+$/, '');
    if (AGENT_SESSION_ID_PATTERN.test(id)) found = id;
  }
  return found;
}

/** How much of a log's end is searched for an agent's exit text. */
const EXIT_TEXT_BYTES = 256 * 1024;

/** The conversation id in the agent's last exit text in its session's log (folder `dir`); null when none. */
export function agentIdFromLog(agent: string | null, dir: string | null): string | null {
  if (!dir || !isKnown(agent)) return null;
  const page = readOutput(dir, { tail: 5000, limitBytes: EXIT_TEXT_BYTES });
  return page.format === 'text' ? agentIdFromText(agent, page.text) : null;
}
