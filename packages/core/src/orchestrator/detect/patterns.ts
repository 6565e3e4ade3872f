// What each agent's screen looks like when it asks, works, finishes or fails — as data.
// Patterns are regular-expression sources matched against one screen line at a time,
// after box borders (│ ┃ ║) and surrounding spaces are stripped; `block` patterns are
// matched against the bottom lines joined by "\n" (flag m). Adding an agent or a new
// prompt is adding an entry here and a screen capture under fixtures/.

/** What a pattern says about the screen. */
export const FINDING_KINDS = ['permission', 'confirm', 'question', 'busy', 'compacting', 'ready', 'error'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export type RecogniserAgent = 'claude' | 'codex' | 'gemini' | 'opencode' | 'generic';

export interface PatternSpec {
  id: string;
  kind: FindingKind;
  match: string;
  flags?: string;
  /** How many non-blank lines from the bottom are searched (`content`: from the bottom of the content, chrome skipped). */
  within: number;
  /** Search the agent's content (its own input box and footer skipped) instead of the raw bottom of the screen. */
  content?: boolean;
  /** Match against the joined bottom lines instead of each line. */
  block?: boolean;
  confidence: number;
}

export interface RecogniserSpec {
  agent: RecogniserAgent;
  label: string;
  /** Lines of the agent's own chrome (input box, hints, status) skipped to find its last content line. */
  chrome: string[];
  patterns: PatternSpec[];
}

const SPINNER = '[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏⣾⣽⣻⢿⡿⣟⣯⣷]';

export const RECOGNISERS: readonly RecogniserSpec[] = [
  {
    agent: 'claude',
    label: 'Claude Code',
    chrome: ['^[╭╰┌└─━]', '^>(\\s|$)', '\\? for shortcuts', 'shift\\+tab to cycle', '^⏵⏵', 'auto-compact', 'ctrl\\+[a-z] to ', '^⧉ ', 'IDE (dis)?connected'],
    patterns: [
      { id: 'claude.permission.question', kind: 'permission', match: '^Do you want to (proceed|make this edit|create|allow|run|fetch|apply|overwrite|use)\\b', flags: 'i', within: 16, confidence: 0.95 },
      { id: 'claude.permission.trust', kind: 'permission', match: '^Do you trust the files in this folder\\?', within: 24, confidence: 0.95 },
      { id: 'claude.permission.menu', kind: 'permission', match: '^❯\\s*1\\.\\s+Yes\\b', within: 12, confidence: 0.9 },
      { id: 'claude.question.select', kind: 'question', match: '^Enter to select · .*(navigate|Esc to cancel)', within: 3, confidence: 0.9 },
      { id: 'claude.compacting', kind: 'compacting', match: 'Compacting conversation', within: 10, confidence: 0.95 },
      { id: 'claude.busy.interrupt', kind: 'busy', match: '\\(.*esc to interrupt.*\\)', flags: 'i', within: 10, confidence: 0.9 },
      { id: 'claude.ready.shortcuts', kind: 'ready', match: '^\\? for shortcuts', within: 3, confidence: 0.85 },
      { id: 'claude.ready.box', kind: 'ready', match: '^[╭─]─{8,}[╮─]?\\n>(\\s.*)?\\n[╰─]─{8,}', flags: 'm', within: 6, block: true, confidence: 0.8 },
      { id: 'claude.error.api', kind: 'error', match: 'API Error|Claude Code crashed|Request timed out', within: 6, content: true, confidence: 0.85 },
    ],
  },
  {
    agent: 'codex',
    label: 'Codex',
    chrome: ['^[▌›]\\s', '^[▌›]$', '⏎ send', 'context left', '\\? for shortcuts', '^⌃', 'Ctrl\\+[A-Z] '],
    patterns: [
      { id: 'codex.permission.allow', kind: 'permission', match: '^Allow (command|edits?|changes|file changes)\\?', within: 16, confidence: 0.95 },
      { id: 'codex.permission.would', kind: 'permission', match: '^Would you like to (run the following command|make the following edits|apply|grant)', flags: 'i', within: 16, confidence: 0.95 },
      { id: 'codex.permission.options', kind: 'permission', match: '^[▌›>]?\\s*(1\\.\\s+)?Yes(, proceed)?\\b.*\\((y|Y)\\)', within: 10, confidence: 0.9 },
      { id: 'codex.question.input', kind: 'question', match: '^Question \\d+/\\d+$|enter to submit answer', within: 12, confidence: 0.9 },
      { id: 'codex.busy.working', kind: 'busy', match: '^[•◦·]?\\s*Working\\b.*\\(.*(esc|Esc) to interrupt', within: 8, confidence: 0.95 },
      { id: 'codex.ready.placeholder', kind: 'ready', match: '^[▌›]\\s+Ask Codex to do anything', within: 6, confidence: 0.85 },
      { id: 'codex.ready.footer', kind: 'ready', match: '⏎ send|\\d+% context left(?!\\))', within: 3, confidence: 0.8 },
      { id: 'codex.error.stream', kind: 'error', match: '^■\\s+.*(error|disconnected|failed|unexpected status|exceeded)', flags: 'i', within: 6, content: true, confidence: 0.85 },
    ],
  },
  {
    agent: 'gemini',
    label: 'Gemini CLI',
    chrome: ['^[╭╰─]', '^>(\\s|$)', 'Type your message', 'context left\\)', 'no sandbox', '^~[/\\w.-]*\\s', 'sandbox-exec|docker'],
    patterns: [
      { id: 'gemini.permission.execution', kind: 'permission', match: '^Allow execution( of)?\\b', flags: 'i', within: 16, confidence: 0.95 },
      { id: 'gemini.permission.apply', kind: 'permission', match: '^Apply this change\\?', within: 16, confidence: 0.95 },
      { id: 'gemini.permission.options', kind: 'permission', match: '^[●○◉]?\\s*1\\.\\s+Yes, allow (once|always)', within: 12, confidence: 0.9 },
      { id: 'gemini.compacting', kind: 'compacting', match: 'Compressing (the )?(chat|conversation|history)', flags: 'i', within: 8, confidence: 0.9 },
      { id: 'gemini.busy.cancel', kind: 'busy', match: '\\(esc to cancel', within: 8, confidence: 0.95 },
      { id: 'gemini.ready.input', kind: 'ready', match: 'Type your message or @path/to/file', within: 8, confidence: 0.9 },
      { id: 'gemini.ready.footer', kind: 'ready', match: '\\(\\d+% context left\\)', within: 3, confidence: 0.8 },
      { id: 'gemini.error.api', kind: 'error', match: '^✕\\s|\\[API Error', within: 6, content: true, confidence: 0.85 },
    ],
  },
  {
    agent: 'opencode',
    label: 'OpenCode',
    chrome: ['^[┃│╹╻▀▄─━]', 'enter send', 'ctrl\\+[a-z] ', 'tab (switch|agents?)', 'esc interrupt', '^opencode\\b'],
    patterns: [
      { id: 'opencode.permission.required', kind: 'permission', match: '^[△⚠!]?\\s*Permission required', flags: 'i', within: 14, confidence: 0.95 },
      { id: 'opencode.permission.options', kind: 'permission', match: '\\bAllow once\\b.*\\b(Allow )?always\\b.*\\bReject\\b', flags: 'i', within: 10, confidence: 0.9 },
      { id: 'opencode.compacting', kind: 'compacting', match: '\\b(Compacting|Summarizing) (session|conversation)', flags: 'i', within: 8, confidence: 0.9 },
      { id: 'opencode.busy.interrupt', kind: 'busy', match: '\\besc (to )?interrupt\\b', flags: 'i', within: 4, confidence: 0.9 },
      { id: 'opencode.busy.working', kind: 'busy', match: `^${SPINNER}?\\s*(Working|Generating|Thinking)\\.\\.\\.`, within: 6, confidence: 0.8 },
      { id: 'opencode.ready.hints', kind: 'ready', match: 'enter send|ctrl\\+p commands', within: 4, confidence: 0.85 },
      { id: 'opencode.error.provider', kind: 'error', match: 'AI_APICallError|ProviderModelNotFoundError|ProviderInitError', within: 6, content: true, confidence: 0.85 },
    ],
  },
  {
    agent: 'generic',
    label: 'The agent',
    chrome: [],
    patterns: [
      { id: 'generic.permission.allow', kind: 'permission', match: '^(Allow|Approve|Permit|Grant)\\b.*\\?(\\s*\\[.*\\])?\\s*$', flags: 'i', within: 6, confidence: 0.85 },
      { id: 'generic.permission.want', kind: 'permission', match: 'Do you want to (proceed|continue|allow|run|apply|overwrite|delete)\\b', flags: 'i', within: 6, confidence: 0.85 },
      { id: 'generic.permission.needs', kind: 'permission', match: '(requires|needs|awaiting) (your )?(approval|permission|confirmation)', flags: 'i', within: 4, confidence: 0.75 },
      { id: 'generic.confirm.yn-brackets', kind: 'confirm', match: '\\[(y|Y)(es)?/(n|N)(o)?\\]\\s*[:?]?\\s*$', within: 3, confidence: 0.9 },
      { id: 'generic.confirm.yn-parens', kind: 'confirm', match: '\\((y|yes)/(n|no)\\)\\s*[:?]?\\s*$', flags: 'i', within: 3, confidence: 0.9 },
      { id: 'generic.confirm.yn-bare', kind: 'confirm', match: '\\b(y/n|yes/no)\\b\\s*[:?)\\]]?\\s*$', flags: 'i', within: 3, confidence: 0.85 },
      { id: 'generic.confirm.continue', kind: 'confirm', match: '^(Continue|Proceed|Are you sure|Overwrite|Replace|Delete)\\b.*\\?\\s*$', flags: 'i', within: 3, confidence: 0.85 },
      { id: 'generic.confirm.press', kind: 'confirm', match: 'Press (Enter|Return|any key) to (continue|proceed)', flags: 'i', within: 3, confidence: 0.85 },
      { id: 'generic.question.secret', kind: 'question', match: '^(\\[sudo\\] )?(Password|Passphrase|Enter passphrase|Username|Email|Token|API key)\\b.{0,100}:\\s*$', flags: 'i', within: 2, confidence: 0.85 },
      { id: 'generic.question.enter', kind: 'question', match: '^(Enter|Type|Please (enter|provide|choose|select)|Choose|Select|Pick)\\b.*[:>]\\s*$', flags: 'i', within: 2, confidence: 0.7 },
      { id: 'generic.compacting', kind: 'compacting', match: '(Compacting|Compressing) (the )?(conversation|context|history|chat)', flags: 'i', within: 8, confidence: 0.85 },
      { id: 'generic.busy.interrupt', kind: 'busy', match: 'esc to (interrupt|cancel)', flags: 'i', within: 8, confidence: 0.85 },
      { id: 'generic.busy.spinner', kind: 'busy', match: `^${SPINNER}\\s+\\S`, within: 4, confidence: 0.6 },
      { id: 'generic.error.exception', kind: 'error', match: '^([A-Za-z_][\\w.]*)?(Error|Exception)(\\s*\\[[^\\]]*\\])?:\\s', within: 8, content: true, confidence: 0.8 },
      { id: 'generic.error.node', kind: 'error', match: '^Node\\.js v\\d+\\.\\d+', within: 3, content: true, confidence: 0.9 },
      { id: 'generic.error.panic', kind: 'error', match: "^(panic: |thread '.*' panicked at|fatal error: |goroutine \\d+ \\[running\\]:)", within: 40, content: true, confidence: 0.95 },
      { id: 'generic.error.signal', kind: 'error', match: 'Segmentation fault|\\(core dumped\\)|^Killed$|^Aborted$|^Bus error', within: 8, content: true, confidence: 0.9 },
      { id: 'generic.error.not-found', kind: 'error', match: ': (command )?not found$', within: 6, content: true, confidence: 0.8 },
      { id: 'generic.error.tagged', kind: 'error', match: '^(npm ERR!|ERROR[:\\s]|FATAL[:\\s]|fatal: |error(\\[E\\d+\\])?: |Unhandled(Promise)?Rejection)', within: 8, content: true, confidence: 0.75 },
      { id: 'generic.error.traceback', kind: 'error', match: '^Traceback \\(most recent call last\\):', within: 40, content: true, confidence: 0.95 },
    ],
  },
];

/** A line that is one option of a menu ("❯ 1. Yes", "  2) No", "● Allow once"): skipped when looking for a question. */
export const MENU_OPTION = /^([❯›>●○◉▶*•-]\s*)?(\d+[.)]|\[\d+\])\s+\S|^[❯›●○◉▶]\s+\S/u;
/** A bare input marker on its own line. */
export const BARE_PROMPT = /^(>|›|❯|\?|:|>>>|\$)$/u;
/** A line ending in a question (optionally closed by a quote or bracket). */
export const QUESTION_END = /\?["'”’)\]]?$/u;
/** A shell prompt at the end of a line (`$`, `#`, `%`, `>`, `❯`, `➜`), used when /proc can't say who is in front. */
export const SHELL_PROMPT = /(^|\s|[\w)\]~/:@-])[$#%>❯➜]$/u;
/**
 * A line that is nothing but a typical shell prompt (`$`, `user@host:~/src$`, `root@box:/#`,
 * `bash-5.2$`, `%`): evidence on its own, without /proc, that a shell is waiting.
 */
export const BARE_SHELL_PROMPT = /^(?:[$#%]|[\w.-]+@[\w.-]+[:\s]\S*\s?[$#%]|[~/]\S*\s?[$#%]|(?:ba|z|k|da)?sh-[\d.]+[$#])$/u;
/** Process names that are shells: the agent has exited when one of them is in front. */
export const SHELL_NAMES = new Set(['sh', 'bash', 'zsh', 'fish', 'dash', 'ksh', 'mksh', 'tcsh', 'csh', 'ash', 'nu', 'elvish', 'xonsh', '-sh', '-bash', '-zsh']);
