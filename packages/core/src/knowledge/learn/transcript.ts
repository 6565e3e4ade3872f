// Reading a session's log as text: where commands were run and what each printed. Agents
// and shells show a command in a few known ways (see COMMAND_LINES); everything is plain
// regular expressions over lines, so the same log always reads the same way.

/** One command and what it printed, as the log shows it. */
export interface Step {
  command: string;
  /** The program it ran (first word past env assignments, sudo, `cd … &&`), lower case. */
  program: string;
  /** 0-based line of the command in the text read. */
  line: number;
  /** The lines it printed (decoration such as Claude Code's ⎿ removed), at most MAX_OUTPUT_LINES. */
  output: string[];
  /** The first line that says it failed, or null when nothing does. */
  error: string | null;
}

const MAX_OUTPUT_LINES = 200;
const MAX_COMMAND_CHARS = 500;
/** Longer lines (minified code, base64) are read only this far: no pattern needs more. */
const MAX_LINE_CHARS = 4000;

/**
 * How a command shows up in a log, and whether what follows it is told by indentation
 * (agents print a tool's output indented under it) or runs until the next prompt (a shell).
 */
const COMMAND_LINES: Array<{ re: RegExp; indented: boolean }> = [
  // A shell prompt: user@host:~/dir$ cmd, [user@host dir]$ cmd, (venv) user@host:~# cmd; also
  // behind another shell's bare prompt that was printed on the same line a moment earlier
  // (`# user@host:~$ cmd`, as when output starts before that shell's prompt ends its line).
  { re: /^(?:[$#%❯]\s+)?(?:\([\w.-]+\)\s+)?(?:\[[\w.-]+@[\w.-]+[^\]]*\]|[\w.-]+@[\w.-]+(?::[^\s$#]*)?)\s?[$#%]\s+(\S.*)$/, indented: false },
  // A bare prompt, as shells, agents and docs show commands: $ cmd, % cmd, ❯ cmd.
  { re: /^\s{0,4}[$%❯]\s+(\S.*)$/, indented: false },
  // Claude Code: ⏺ Bash(cmd)
  { re: /^\s*[⏺●]\s*Bash\((.+)\)\s*$/, indented: true },
  // Codex: • Ran cmd
  { re: /^\s*•\s+Ran\s+(\S.*)$/, indented: true },
];

/** A line that ends an agent tool's output: anything starting at the left edge that is not decoration. */
const LEFT_EDGE = /^[^\s⎿└│├┃]/;
/** Decoration agents put before output lines. */
const DECORATION = /^[\s⎿└│├┃]+/;

/** Markers of failure in a command's output (first one found is the step's error). */
const ERROR_MARKERS: RegExp[] = [
  /\bcommand not found\b/,
  /\bNo such file or directory\b/,
  /\bPermission denied\b/,
  /^(?:[\w./-]+:\s*)?(?:error|fatal|panic)(?:\[[\w-]+\])?:/i,
  /\berror TS\d+:/,
  /(?:^|\s)(?:[A-Z]\w*)?Error:/,
  /^npm (?:ERR!|error)\s/,
  /\bFAILED\b/,
  /^FAIL\s/,
  /^Traceback \(most recent call last\)/,
  /^at \S.*:\d+:\d+\)?$/,
  /\bexit(?:ed)?(?: with)? (?:code|status) [1-9]\d*\b/i,
  /^make(?:\[\d+\])?: \*\*\*/,
];

/** The first line of `lines` that reads as a failure, trimmed, or null. */
export function errorLine(lines: readonly string[]): string | null {
  for (const raw of lines) {
    const line = raw.replace(DECORATION, '').trim();
    if (line && ERROR_MARKERS.some((re) => re.test(line))) return line;
  }
  return null;
}

const ENV_ASSIGNMENT = /^[A-Za-z_]\w*=\S*$/;
const WRAPPERS = new Set(['sudo', 'time', 'env', 'exec', 'nice', 'command']);

/** The program a command line runs: `FOO=1 sudo npm test` is npm, `cd api && make` is make. */
export function programOf(command: string): string {
  const segments = command.split(/&&|\|\||;/).map((s) => s.trim()).filter(Boolean);
  const pick = segments.find((s) => !/^(?:cd|export|source|\.)\s/.test(s)) ?? segments[0] ?? '';
  const words = pick.split(/\s+/);
  let i = 0;
  while (i < words.length - 1 && (ENV_ASSIGNMENT.test(words[i]!) || WRAPPERS.has(words[i]!))) {
    const w = words[i++]!;
    // nice takes an adjustment: `nice -n 10 npm test`, `nice -5 make`.
    if (w === 'nice' && words[i] === '-n') i += 2;
    else if (w === 'nice' && /^-\d+$/.test(words[i] ?? '')) i++;
  }
  const word = (words[i] ?? '').replace(/^["']|["']$/g, '');
  return (word.split('/').pop() ?? word).toLowerCase();
}

function commandOf(line: string): { command: string; indented: boolean } | null {
  for (const { re, indented } of COMMAND_LINES) {
    const m = re.exec(line);
    if (m?.[1]) return { command: m[1].trim().slice(0, MAX_COMMAND_CHARS), indented };
  }
  return null;
}

/** A prompt with nothing typed at it: it ends the output before it, and starts nothing. */
const EMPTY_PROMPT = /^(?:\([\w.-]+\)\s+)?(?:\[[\w.-]+@[\w.-]+[^\]]*\]|[\w.-]+@[\w.-]+(?::[^\s$#]*)?)\s?[$#%]\s*$|^\s{0,4}[$%❯]\s*$/;

/**
 * The commands in a log's text and what each printed, in order. Only finished steps count:
 * one is finished when a prompt, the next command or the agent's next line follows it. A log
 * read while a command still prints (or is still being typed) would otherwise yield its
 * half: `car` for `cargo build`, or a failure without the fix that comes next.
 */
export function parseSteps(text: string): Step[] {
  const all = text.split('\n');
  // A last line without its newline is still being written, unless it is the prompt a shell waits at.
  if (!text.endsWith('\n') && !EMPTY_PROMPT.test(all[all.length - 1]!)) all.pop();
  const lines = all.map((l) => (l.length > MAX_LINE_CHARS ? l.slice(0, MAX_LINE_CHARS) : l));
  const steps: Step[] = [];
  let current: (Step & { indented: boolean }) | null = null;
  const close = () => {
    if (!current) return;
    const { indented: _indented, ...step } = current;
    steps.push({ ...step, error: errorLine(step.output) });
    current = null;
  };
  lines.forEach((line, i) => {
    const found = commandOf(line);
    if (found) {
      close();
      current = { command: found.command, program: programOf(found.command), line: i, output: [], error: null, indented: found.indented };
      return;
    }
    if (!current) return;
    if (EMPTY_PROMPT.test(line) || (current.indented && LEFT_EDGE.test(line))) return close();
    if (current.output.length < MAX_OUTPUT_LINES) current.output.push(line.replace(DECORATION, '').trimEnd());
  });
  // The step still open at the end may not be done: it is read again, whole, next time.
  return steps;
}
