// What an agent's own hook event says about it, in one vocabulary for every agent.
// Each agent reports in its own shape (see README "Hooks"): Claude Code and Codex hooks
// (`hook_event_name`), Codex's legacy `notify` (`type: agent-turn-complete`), Gemini CLI
// hooks, and OpenCode bus events forwarded by rdv's plugin (`type` + `properties`).
// Payloads are read loosely: an agent adding fields must not break anything, and an
// event we do not know is accepted and ignored.
import type { HookAgent } from '../../schemas/index.js';

/** The state an event puts the agent in. `none`: it says nothing about the state. */
export type AgentSignal =
  | { kind: 'working'; reason: 'started' | 'prompt' | 'tool' | 'compacting' | 'answered' }
  | { kind: 'permission'; message: string; reminder?: boolean }
  | { kind: 'question'; message: string; options: string[] }
  | { kind: 'turn_finished'; message: string | null; reminder?: boolean }
  | { kind: 'errored'; message: string }
  | { kind: 'exited'; message: string | null }
  | { kind: 'none' };

export interface ReadEvent {
  signal: AgentSignal;
  /** The hook event's name as the agent calls it ("Stop", "permission.asked", …). */
  name: string;
  /** The agent's own id for the conversation, when the event carries one. */
  agentSessionId: string | null;
  /** The event starts (or restarts) a conversation: its id replaces the one kept. */
  starts: boolean;
}

type Json = Record<string, unknown>;
const NONE: AgentSignal = { kind: 'none' };
const MAX_MESSAGE = 500;

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();
const clip = (s: string, n = MAX_MESSAGE): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
/** A native id as agents print them: letters, digits and - _ . : (UUIDs, ses_…, thread ids). */
const idOf = (v: unknown): string | null => {
  const s = str(v);
  return s && /^[\w.:-]{1,200}$/.test(s) ? s : null;
};

/** "Bash: rm -rf build" from a tool name and its input. */
function describeTool(name: string | null, input: Json): string {
  const detail = str(input.command) ?? str(input.file_path) ?? str(input.path) ?? str(input.url) ?? str(input.description) ?? str(input.pattern);
  return clip(oneLine([name, detail].filter(Boolean).join(': ') || 'a tool'));
}

/** The first question and its option labels, from AskUserQuestion / request_user_input / OpenCode's question. */
function readQuestion(questions: unknown): { message: string; options: string[] } | null {
  const first = Array.isArray(questions) ? obj(questions[0]) : obj(questions);
  const message = str(first.question) ?? str(first.header) ?? str(first.prompt);
  if (!message) return null;
  const options = (Array.isArray(first.options) ? first.options : [])
    .map((o) => (typeof o === 'string' ? o : (str(obj(o).label) ?? str(obj(o).value))))
    .filter((o): o is string => Boolean(o))
    .map((o) => clip(oneLine(o), 100))
    .slice(0, 8);
  return { message: clip(oneLine(message)), options };
}

const QUESTION_TOOLS = new Set(['AskUserQuestion', 'request_user_input', 'ask_user']);

/** Claude Code hooks, and Codex hooks (same names and fields). */
function readClaudeLike(e: Json, name: string): AgentSignal {
  const tool = str(e.tool_name);
  const input = obj(e.tool_input);
  switch (name) {
    case 'SessionStart':
      return { kind: 'working', reason: 'started' };
    case 'UserPromptSubmit':
      return { kind: 'working', reason: 'prompt' };
    case 'PreToolUse': {
      if (tool && QUESTION_TOOLS.has(tool)) {
        const q = readQuestion(input.questions ?? input);
        if (q) return { kind: 'question', ...q };
      }
      return { kind: 'working', reason: 'tool' };
    }
    case 'PermissionRequest':
      return { kind: 'permission', message: describeTool(tool, input) };
    case 'PostToolUse':
    case 'PostToolUseFailure':
      return { kind: 'working', reason: tool && QUESTION_TOOLS.has(tool) ? 'answered' : 'tool' };
    case 'PreCompact':
      return { kind: 'working', reason: 'compacting' };
    case 'Notification': {
      const type = str(e.notification_type);
      const message = clip(oneLine(str(e.message) ?? ''));
      // Both come a while after the prompt (and PermissionRequest / Stop): reminders of it.
      if (type === 'permission_prompt') return { kind: 'permission', message: message || 'permission to use a tool', reminder: true };
      if (type === 'idle_prompt') return { kind: 'turn_finished', message: message || null, reminder: true };
      if (type === 'elicitation_dialog') return { kind: 'question', message: message || 'a question', options: [] };
      return NONE;
    }
    case 'Stop':
      // A Stop hook that made Claude go on (stop_hook_active) is not the end of the turn.
      if (e.stop_hook_active === true) return NONE;
      return { kind: 'turn_finished', message: str(e.last_assistant_message) ? clip(oneLine(str(e.last_assistant_message)!)) : null };
    case 'StopFailure':
      return { kind: 'errored', message: clip(oneLine(str(e.error) ?? str(obj(e.error_details).message) ?? 'the turn failed')) };
    case 'SessionEnd':
      return { kind: 'exited', message: str(e.reason) };
    default:
      return NONE;
  }
}

function readGemini(e: Json, name: string): AgentSignal {
  switch (name) {
    case 'SessionStart':
      return { kind: 'working', reason: 'started' };
    case 'BeforeAgent':
      return { kind: 'working', reason: 'prompt' };
    case 'BeforeTool': {
      const tool = str(e.tool_name);
      if (tool && QUESTION_TOOLS.has(tool)) {
        const q = readQuestion(obj(e.tool_input).questions ?? e.tool_input);
        if (q) return { kind: 'question', ...q };
      }
      return { kind: 'working', reason: 'tool' };
    }
    case 'AfterTool':
      return { kind: 'working', reason: 'tool' };
    case 'PreCompress':
      return { kind: 'working', reason: 'compacting' };
    case 'Notification': {
      if (str(e.notification_type) !== 'ToolPermission') return NONE;
      const details = obj(e.details);
      const message = clip(oneLine(str(e.message) ?? str(details.title) ?? str(details.command) ?? 'permission to use a tool'));
      if (str(details.type) === 'ask_user') return { kind: 'question', message, options: readQuestion(details.questions)?.options ?? [] };
      return { kind: 'permission', message };
    }
    case 'AfterAgent':
      return { kind: 'turn_finished', message: str(e.prompt_response) ? clip(oneLine(str(e.prompt_response)!)) : null };
    case 'SessionEnd':
      return { kind: 'exited', message: str(e.reason) };
    default:
      return NONE;
  }
}

function readOpenCode(type: string, p: Json): AgentSignal {
  switch (type) {
    case 'session.created':
      return { kind: 'working', reason: 'started' };
    case 'permission.asked':
    case 'permission.updated': {
      const patterns = Array.isArray(p.patterns) ? p.patterns.filter((x): x is string => typeof x === 'string') : [];
      const what = str(p.permission) ?? str(p.type) ?? str(p.title) ?? 'a tool';
      return { kind: 'permission', message: clip(oneLine([what, patterns.join(' ')].filter(Boolean).join(': '))) };
    }
    case 'permission.replied':
    case 'question.replied':
    case 'question.rejected':
      return { kind: 'working', reason: 'answered' };
    case 'question.asked': {
      const q = readQuestion(p.questions);
      return q ? { kind: 'question', ...q } : NONE;
    }
    case 'session.status': {
      const status = str(obj(p.status).type);
      if (status === 'idle') return { kind: 'turn_finished', message: null };
      return status === 'busy' || status === 'retry' ? { kind: 'working', reason: 'prompt' } : NONE;
    }
    case 'session.idle':
      return { kind: 'turn_finished', message: null };
    case 'session.error': {
      const err = obj(p.error);
      return { kind: 'errored', message: clip(oneLine(str(obj(err.data).message) ?? str(err.message) ?? str(err.name) ?? 'an error')) };
    }
    default:
      return NONE;
  }
}

/**
 * Reads one hook event of `agent`. Never throws: anything unknown is `none`. The native
 * session id comes from `session_id` (Claude, Codex and Gemini hooks), `thread-id`
 * (Codex notify) or the OpenCode session.
 */
export function readAgentEvent(agent: HookAgent, event: Json): ReadEvent {
  if (agent === 'opencode') {
    const type = str(event.type) ?? '';
    const p = obj(event.properties);
    const info = obj(p.info);
    const id = idOf(p.sessionID) ?? idOf(info.id);
    return { signal: readOpenCode(type, p), name: type, agentSessionId: id, starts: type === 'session.created' };
  }
  if (agent === 'codex' && str(event.type) === 'agent-turn-complete') {
    const message = str(event['last-assistant-message']);
    return {
      signal: { kind: 'turn_finished', message: message ? clip(oneLine(message)) : null },
      name: 'agent-turn-complete',
      agentSessionId: idOf(event['thread-id']),
      starts: false,
    };
  }
  const name = str(event.hook_event_name) ?? '';
  const signal = agent === 'gemini' ? readGemini(event, name) : readClaudeLike(event, name);
  return { signal, name, agentSessionId: idOf(event.session_id), starts: name === 'SessionStart' };
}
