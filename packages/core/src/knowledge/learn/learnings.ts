// What is worth proposing from a log: an error and the command that worked after it, and
// what a person typed to an agent that waited for them. Pure functions: the same text
// and inputs always give the same proposals, in the same words.
import { createHash } from 'node:crypto';
import { parseSteps, type Step } from './transcript.js';

export interface Learning {
  kind: 'error_fix' | 'unblock';
  title: string;
  /** Markdown. */
  body: string;
  /** Plain text from the log or the input. */
  evidence: string;
}

/** Something a person typed to a session while its agent waited for them. */
export interface PersonInput {
  text: string;
  /** `prompt` (the agent's own hook reported it) or `inject` (sent through rdv). */
  source: string;
  /** What the agent was waiting for, as the attention insight said. */
  waitedFor: string;
  at: string;
}

const MAX_TITLE = 200;
const MAX_EVIDENCE = 4000;
const EVIDENCE_LINES_FAILED = 12;
const EVIDENCE_LINES_WORKED = 4;

const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** `s` as inline markdown code, whatever backticks it holds. */
export function inlineCode(s: string): string {
  const longest = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** `s` as a fenced markdown block, whatever fences it holds. */
export function codeBlock(s: string): string {
  const longest = Math.max(2, ...[...s.matchAll(/`{3,}/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}\n${s}\n${fence}`;
}

/** Two programs that are one, as far as a retry goes: the same, or one a prefix of the other (python, python3). */
function sameProgram(a: string, b: string): boolean {
  if (!a || !b) return false;
  if (a === b) return true;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return short.length >= 3 && long.startsWith(short);
}

function excerpt(failed: Step, worked: Step): string {
  const part = (s: Step, n: number) => [`$ ${s.command}`, ...s.output.filter((l) => l.trim()).slice(0, n)].join('\n');
  return clip(`${part(failed, EVIDENCE_LINES_FAILED)}\n…\n${part(worked, EVIDENCE_LINES_WORKED)}`, MAX_EVIDENCE);
}

/**
 * For each command that worked, the attempt of the same program just before it: when that
 * one failed and was a different command, the pair is a learning. A retry of the very same
 * command teaches nothing here (what changed happened elsewhere), so it is left out.
 */
export function errorFixLearnings(steps: readonly Step[]): Learning[] {
  const out: Learning[] = [];
  steps.forEach((worked, j) => {
    if (worked.error) return;
    let i = j - 1;
    while (i >= 0 && !sameProgram(steps[i]!.program, worked.program)) i--;
    const failed = steps[i];
    if (!failed?.error || oneLine(failed.command) === oneLine(worked.command)) return;
    const x = clip(oneLine(failed.command), 80);
    const y = clip(oneLine(worked.command), 80);
    const error = clip(oneLine(failed.error), 300);
    out.push({
      kind: 'error_fix',
      title: clip(`${y} works where ${x} failed`, MAX_TITLE),
      body: `${inlineCode(oneLine(failed.command))} failed with:\n\n${codeBlock(error)}\n\n${inlineCode(oneLine(worked.command))} worked.\n`,
      evidence: excerpt(failed, worked),
    });
  });
  return out;
}

/** Answers that unblock a prompt but teach nothing: yes, no, a number, an option's letter. */
const BARE_ANSWER = /^(?:y|yes|n|no|ok|okay|sure|continue|go on|go ahead|proceed|[a-z]|\d+)[.!]?$/i;

/** What a person typed to a waiting agent, when it says more than yes or no. */
export function unblockLearnings(inputs: readonly PersonInput[]): Learning[] {
  return inputs.flatMap((input) => {
    const text = input.text.trim();
    const line = oneLine(text);
    if (line.length < 4 || BARE_ANSWER.test(line)) return [];
    const waited = clip(oneLine(input.waitedFor), 300) || 'for a person';
    return [
      {
        kind: 'unblock' as const,
        title: clip(`Unblocked with: ${line}`, MAX_TITLE),
        body: `The agent was waiting (${waited}); a person typed this and it went on:\n\n${codeBlock(clip(text, 2000))}\n`,
        evidence: clip(`waiting: ${waited}\ntyped (${input.source}): ${text}`, MAX_EVIDENCE),
      },
    ];
  });
}

/** The learnings in a log's text (and the inputs given meanwhile), at most `max`, errors first. */
export function extractLearnings(text: string, inputs: readonly PersonInput[] = [], max = Infinity): Learning[] {
  const seen = new Set<string>();
  const all = [...errorFixLearnings(parseSteps(text)), ...unblockLearnings(inputs)].filter((l) => {
    const h = proposalHash(l.title, l.body);
    if (seen.has(h)) return false;
    seen.add(h);
    return true;
  });
  return all.slice(0, max);
}

/** The identity of a proposal's text in its folder: the same text is proposed once, dismissed or not. */
export function proposalHash(title: string, body: string): string {
  return createHash('sha256').update(`${title.trim()}\n${body.trim()}`).digest('hex');
}

/** The prompt a person submitted, from an agent's hook event (Claude Code / Codex UserPromptSubmit, Gemini CLI BeforeAgent), or null. */
export function promptOf(event: Record<string, unknown>): string | null {
  const name = event.hook_event_name;
  if (name !== 'UserPromptSubmit' && name !== 'BeforeAgent') return null;
  return typeof event.prompt === 'string' && event.prompt.trim() ? event.prompt : null;
}
