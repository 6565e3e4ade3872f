import type { Agent } from '../../schemas/index.js';
import {
  BARE_PROMPT,
  MENU_OPTION,
  QUESTION_END,
  BARE_SHELL_PROMPT,
  RECOGNISERS,
  SHELL_PROMPT,
  type FindingKind,
  type PatternSpec,
  type RecogniserAgent,
  type RecogniserSpec,
} from './patterns.js';
import { answeredBelow, findCrashBelow, findMenuQuestion } from './menus.js';

/** One thing a pattern saw on the screen. */
export interface Finding {
  kind: FindingKind;
  patternId: string;
  agent: RecogniserAgent;
  /** Index into ScreenReading.lines of the matching line (the last line of a block match). */
  index: number;
  confidence: number;
}

/** What a captured screen says, before process facts and timing are considered. */
export interface ScreenReading {
  /** The screen, borders stripped and trimmed, trailing blank lines dropped. */
  lines: string[];
  /** Whose UI is on screen; null when none is recognised (a plain script, a shell). */
  agent: RecogniserAgent | null;
  findings: Partial<Record<FindingKind, Finding>>;
  /** The last non-blank line ends like a shell prompt (used with /proc's word that a shell is in front). */
  shellPrompt: boolean;
  /** No agent UI, and the last line is a bare shell prompt: a shell is waiting (an agent over ssh or in a nested shell exited). */
  bareShell: boolean;
  /** An error in the output of the last shell command (for an agent that exited). */
  shellError: Finding | null;
  /** A selection-menu question's options, in menu order (empty otherwise). */
  options: string[];
}

interface CompiledPattern extends PatternSpec {
  re: RegExp;
}
interface Compiled {
  spec: RecogniserSpec;
  chrome: RegExp[];
  patterns: CompiledPattern[];
}

const compile = (spec: RecogniserSpec): Compiled => ({
  spec,
  chrome: spec.chrome.map((c) => new RegExp(c, 'u')),
  patterns: spec.patterns.map((p) => ({ ...p, re: new RegExp(p.match, `${p.flags ?? ''}u`) })),
});

const COMPILED: Compiled[] = RECOGNISERS.map(compile);
const SHELL_ERROR_WITHIN = 16;
/** A stack frame line (JavaScript, Python, Go). */
const STACK_FRAME = /^(at \S.*(\(.+:\d+:\d+\)|:\d+:\d+|\(<anonymous>\))|File ".+", line \d+|\S+\.go:\d+)$/;
const GENERIC = COMPILED.find((c) => c.spec.agent === 'generic')!;
const AGENTS = COMPILED.filter((c) => c.spec.agent !== 'generic');

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const BORDERS = /^[\s│┃║╎┆┊]+|[\s│┃║╎┆┊]+$/gu;

/** One screen line as patterns see it: no control characters, no box borders, trimmed. */
export function cleanLine(line: string): string {
  return line.replace(CONTROL, '').replace(BORDERS, '');
}

/** The label people know an agent by ("Claude Code"). */
export function agentLabel(agent: RecogniserAgent | Agent | null | undefined): string {
  return RECOGNISERS.find((r) => r.agent === agent)?.label ?? 'The agent';
}

/** Indices of non-blank lines, bottom first. */
const bottomUp = (lines: string[]): number[] => {
  const out: number[] = [];
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]) out.push(i);
  return out;
};

/** The content lines (bottom first) once the agent's trailing chrome is skipped. */
function contentIndices(lines: string[], nonBlank: number[], chrome: RegExp[]): number[] {
  let start = 0;
  while (start < nonBlank.length && chrome.some((re) => re.test(lines[nonBlank[start]!]!))) start++;
  return nonBlank.slice(start);
}

function match(p: CompiledPattern, agent: RecogniserAgent, lines: string[], bottom: number[], content: number[]): Finding | null {
  const pool = (p.content ? content : bottom).slice(0, p.within);
  if (p.block) {
    if (!pool.length) return null;
    const text = [...pool].reverse().map((i) => lines[i]).join('\n');
    return p.re.test(text) ? { kind: p.kind, patternId: p.id, agent, index: pool[0]!, confidence: p.confidence } : null;
  }
  for (const i of pool) {
    if (p.re.test(lines[i]!)) return { kind: p.kind, patternId: p.id, agent, index: i, confidence: p.confidence };
  }
  return null;
}

/** A question: the last content line, skipping menu options and bare markers, ends in "?". */
function findQuestion(lines: string[], content: number[], agent: RecogniserAgent): Finding | null {
  for (const i of content.slice(0, 8)) {
    const line = lines[i]!;
    if (MENU_OPTION.test(line) || BARE_PROMPT.test(line)) continue;
    if (!QUESTION_END.test(line) || line.length < 4) return null;
    return { kind: 'question', patternId: `${agent}.question.trailing`, agent, index: i, confidence: 0.7 };
  }
  return null;
}

/** Errors printed after the last command typed at the shell prompt that is now back. */
function findShellError(lines: string[], nonBlank: number[]): Finding | null {
  const last = nonBlank[0];
  if (last === undefined) return null;
  const prompt = lines[last]!;
  const region: number[] = [];
  for (const i of nonBlank.slice(1, 60)) {
    if (prompt.length > 0 && lines[i]!.startsWith(`${prompt} `)) break;
    region.push(i);
  }
  // A crash's message sits above its stack trace, however long: look past the frames too.
  const frames = region.filter((i) => STACK_FRAME.test(lines[i]!)).length;
  for (const c of [GENERIC, ...AGENTS]) {
    for (const p of c.patterns) {
      if (p.kind !== 'error') continue;
      const f = match({ ...p, within: Math.max(p.within, SHELL_ERROR_WITHIN + frames) }, c.spec.agent, lines, region, region);
      if (f) return f;
    }
  }
  return null;
}

/**
 * Reads a captured screen (plain text, as `capture-pane -p` prints it). `hint` is the
 * session's declared agent: its patterns are tried first, then every other agent's
 * (a "custom" command may well be one of them), then the generic ones. Never throws.
 */
export function readScreen(screen: string, hint?: Agent | null): ScreenReading {
  const raw = screen.split('\n');
  while (raw.length && !raw[raw.length - 1]!.trim()) raw.pop();
  const lines = raw.map(cleanLine);
  const bottom = bottomUp(lines);
  // The hint goes first and keeps a tie.
  const order = [...AGENTS].sort((a, b) => Number(b.spec.agent === hint) - Number(a.spec.agent === hint));

  // Each agent's patterns on their own; the agent whose UI this is wins (the hint on a tie).
  let agent: RecogniserAgent | null = null;
  let findings: Partial<Record<FindingKind, Finding>> = {};
  let best = 0;
  for (const c of order) {
    const content = contentIndices(lines, bottom, c.chrome);
    const mine: Partial<Record<FindingKind, Finding>> = {};
    let score = 0;
    for (const p of c.patterns) {
      if (mine[p.kind]) continue;
      const f = match(p, c.spec.agent, lines, bottom, content);
      if (!f) continue;
      mine[p.kind] = f;
      if (p.kind !== 'error') score += p.confidence;
    }
    if (score > best) {
      best = score;
      agent = c.spec.agent;
      findings = mine;
    }
  }
  const own = agent ? COMPILED.find((c) => c.spec.agent === agent)! : GENERIC;
  const content = contentIndices(lines, bottom, own.chrome);
  for (const p of GENERIC.patterns) {
    if (findings[p.kind]) continue;
    // An agent's transcript is full of tool errors it deals with itself; generic error
    // patterns speak only for screens no agent UI claims (scripts, crashes).
    if (p.kind === 'error' && agent) continue;
    const f = match(p, 'generic', lines, bottom, content);
    if (f) findings[p.kind] = f;
  }
  // A prompt with the agent's transcript carrying on below it was answered: scrollback.
  for (const kind of ['permission', 'confirm'] as const) {
    const f = findings[kind];
    if (f && answeredBelow(lines, f.index)) delete findings[kind];
  }
  let options: string[] = [];
  if (!findings.permission && !findings.confirm) {
    const menu = findMenuQuestion(lines, bottom, agent ?? 'generic');
    if (menu && !answeredBelow(lines, menu.finding.index)) {
      findings.question = menu.finding;
      options = menu.options;
    }
  }
  if (!findings.question) {
    const q = findQuestion(lines, content, agent ?? 'generic');
    if (q) findings.question = q;
  }
  // The agent's UI frozen above a crash banner: its busy line is stale, the crash is news.
  const ui = [findings.busy, findings.compacting, findings.ready].filter((f): f is Finding => Boolean(f)).map((f) => f.index);
  if (agent && ui.length) {
    const crash = findCrashBelow(lines, Math.max(...ui), agent);
    if (crash) findings.error = crash;
  }
  const lastLine = bottom[0] === undefined ? '' : lines[bottom[0]]!;
  return {
    lines,
    agent,
    findings,
    shellPrompt: SHELL_PROMPT.test(lastLine),
    bareShell: !agent && lastLine.length <= 80 && BARE_SHELL_PROMPT.test(lastLine),
    shellError: findShellError(lines, bottom),
    options,
  };
}

/** Up to `max` non-blank lines of the reading around `index` (the ones that show a finding). */
export function linesAround(reading: ScreenReading, index: number, before = 4, after = 4, max = 12): string[] {
  const from = Math.max(0, index - before);
  const to = Math.min(reading.lines.length, index + after + 1);
  return reading.lines.slice(from, to).filter((l) => l.length > 0).slice(0, max).map((l) => l.slice(0, 300));
}

/** The last `n` non-blank lines of the screen. */
export function lastLines(reading: ScreenReading, n = 6): string[] {
  return reading.lines.filter((l) => l.length > 0).slice(-n).map((l) => l.slice(0, 300));
}
