// Three readings the line-by-line patterns get wrong on their own:
// - a selection-menu question (Claude's AskUserQuestion, Codex's request_user_input, Gemini's
//   ask_user, OpenCode's question tool): numbered options under a question, often with the
//   agent's own "esc to cancel / interrupt" hint or spinner on screen, which must not make
//   it "working";
// - a prompt already answered, still in the scrollback above what the agent did next;
// - a crash banner printed below the agent's UI (its spinner frozen above it).
import type { Finding } from './recognise.js';
import type { RecogniserAgent } from './patterns.js';

/** "❯ 1. Postgres", "  2) SQLite", "› 3. None of the above  add details", "● 1. Yes" */
const NUMBERED = /^(?:[❯›>●○◉▶▸*]\s*)?(\d{1,2})[.)]\s+(\S.*)$/u;
/** How a menu tells people to pick. */
const PICK_HINT = /(enter to (select|submit|confirm)|enter submit|to navigate|↑\/?↓|arrow keys|tab to add notes|space to (select|toggle))/i;
/** Options that open a text field rather than answer: not offered as replies. */
const FREE_TEXT = /^(type something|type your own|other\b|none of the above|chat about this|something else)/i;
/** Permission menus are permission findings, never questions. */
const YES_NO = /^(yes|no|allow|always|reject|deny|approve)\b/i;

export interface MenuQuestion {
  finding: Finding;
  /** The options a reply can pick, in menu order (the first is highlighted). */
  options: string[];
}

/** The option's label: its text before a description set off by two or more spaces. */
const labelOf = (text: string) => text.split(/\s{2,}/)[0]!.replace(/\s*\((esc|tab)\)$/i, '').trim();

/**
 * A question with numbered options near the bottom: options 1..n (n ≥ 2) in order, and a
 * question line (ending in "?") above them or a picking hint on screen. `bottom` is the
 * non-blank line indices, bottom first.
 */
export function findMenuQuestion(lines: string[], bottom: number[], agent: RecogniserAgent): MenuQuestion | null {
  const pool = bottom.slice(0, 24).slice().reverse();
  const options: Array<{ n: number; label: string; index: number }> = [];
  let firstIndex = -1;
  for (const i of pool) {
    const m = NUMBERED.exec(lines[i]!);
    if (!m) continue;
    const n = Number(m[1]);
    if (n === 1) {
      options.length = 0;
      firstIndex = i;
    }
    if (options.length && n !== options[options.length - 1]!.n + 1) continue;
    if (n === 1 || options.length) options.push({ n, label: labelOf(m[2]!), index: i });
  }
  if (options.length < 2 || firstIndex < 0) return null;
  if (options.every((o) => YES_NO.test(o.label))) return null;
  const above = bottom.filter((i) => i < firstIndex).slice(0, 6);
  const question = above.find((i) => /\?["'”’)\]]?$/u.test(lines[i]!));
  const hinted = pool.some((i) => PICK_HINT.test(lines[i]!));
  if (question === undefined && !hinted) return null;
  return {
    finding: { kind: 'question', patternId: `${agent}.question.menu`, agent, index: question ?? firstIndex, confidence: question !== undefined && hinted ? 0.95 : 0.9 },
    options: options.map((o) => o.label).filter((l) => l && !FREE_TEXT.test(l)),
  };
}

/** A line of what the agent did or said: its transcript bullets, tool results, approval receipts. */
const TRANSCRIPT = /^(⏺|⎿|✦|✔|✓|✗|✘|■|└|•(?!\s*\d)|●(?!\s*\d))\s*\S/u;

/**
 * Whether a prompt at `index` was answered already: the agent's transcript carries on below
 * it (a tool ran, an approval receipt, a reply), so it is scrollback, not a question now.
 */
export function answeredBelow(lines: string[], index: number): boolean {
  for (let i = index + 1; i < lines.length; i++) if (TRANSCRIPT.test(lines[i]!)) return true;
  return false;
}

/** Lines that say a program died: what a crash leaves below the agent's frozen UI. */
const CRASH = [
  /^([A-Za-z_][\w.]*)?(Error|Exception)(\s*\[[^\]]*\])?:\s/,
  /^(panic: |thread '.*' panicked at|fatal error: |Segmentation fault|Aborted|Killed$)/,
  /^Node\.js v\d+\.\d+/,
  /^Traceback \(most recent call last\):/,
  /^error: .*(exited with code|crashed|unexpected)/i,
  /^\s*at .+(\(.+:\d+:\d+\)|:\d+:\d+)$/,
];

/**
 * A crash banner below everything the agent drew last (`uiIndex`, its lowest busy, ready or
 * prompt line): the TUI stopped, and what it left on top is a stale spinner. The finding
 * points at the banner's first error line.
 */
export function findCrashBelow(lines: string[], uiIndex: number, agent: RecogniserAgent): Finding | null {
  for (let i = uiIndex + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line) continue;
    const at = CRASH.findIndex((re) => re.test(line));
    if (at >= 0) return { kind: 'error', patternId: `${agent}.error.crash-below`, agent, index: i, confidence: 0.9 };
  }
  return null;
}
