import type { Agent, InsightSeverity, SuggestedAction } from '../../schemas/index.js';
import type { Verdict } from '../detect/classify.js';
import type { InsightDraft } from '../insights.js';
import type { RecogniserAgent } from '../detect/patterns.js';
import { agentLabel, lastLines, linesAround, type ScreenReading } from '../detect/recognise.js';

/** How far auto-intervention has gone for one stall: 0 none, 1 nudged, 2 Esc sent, 3 raised. */
export type EscalationStep = 0 | 1 | 2 | 3;

export interface DraftContext {
  sessionName: string;
  agent: Agent | null;
  reading: ScreenReading | null;
  quietMs: number;
  lastOutputAt: number;
  escalation: EscalationStep;
  nudgeText: string;
}

export const OPEN: SuggestedAction = { id: 'open', label: 'Open the session', kind: 'open' };
export const DISMISS: SuggestedAction = { id: 'resolve', label: 'Dismiss', kind: 'resolve' };

/** "5 min", "42 s", "2 h" */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

const clip = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * Identity of what an insight is about: when it is unchanged, nothing is written or
 * published (so a stall's growing duration never spams the event stream).
 */
export function verdictKey(v: Verdict, reading: ScreenReading | null, escalation: EscalationStep): string {
  if (v.state === 'working') return 'working';
  const line = v.finding && reading ? (reading.lines[v.finding.index] ?? '') : '';
  return [v.state, v.reason, v.finding?.patternId ?? '', line, v.state === 'stalled' ? escalation : ''].join('|');
}

function approveActions(v: Verdict): SuggestedAction[] {
  if (v.reason === 'confirm' && v.finding?.patternId === 'generic.confirm.press') {
    return [{ id: 'continue', label: 'Press Enter', kind: 'inject', keys: ['Enter'] }];
  }
  const words = v.finding?.patternId === 'generic.confirm.yn-parens' || v.finding?.patternId === 'generic.confirm.yn-bare';
  return permissionActions(v.finding?.agent ?? 'generic', words);
}

/**
 * Allow and Deny for an agent's permission prompt, as keys its UI takes: Claude Code,
 * Gemini CLI and OpenCode select the highlighted "Yes" with Enter and refuse with Esc;
 * Codex takes y; a plain prompt gets y/n (yes/no when it asks for words).
 */
export function permissionActions(agent: RecogniserAgent | Agent | null, words = false): SuggestedAction[] {
  if (agent === 'generic' || agent === 'custom' || agent === null) {
    return [
      { id: 'approve', label: 'Answer yes', kind: 'inject', text: words ? 'yes' : 'y' },
      { id: 'deny', label: 'Answer no', kind: 'inject', text: words ? 'no' : 'n' },
    ];
  }
  if (agent === 'codex') {
    return [
      { id: 'approve', label: 'Approve (y)', kind: 'inject', keys: ['y'] },
      { id: 'deny', label: 'Deny (Esc)', kind: 'inject', keys: ['Escape'] },
    ];
  }
  return [
    { id: 'approve', label: 'Approve once (Enter)', kind: 'inject', keys: ['Enter'] },
    { id: 'deny', label: 'Deny (Esc)', kind: 'inject', keys: ['Escape'] },
  ];
}

/**
 * One reply per option of a selection menu: the first option is highlighted, so option i
 * is i presses of Down, then Enter. The id `reply:<option>` is what a notification's
 * Reply action names.
 */
export function replyActions(options: readonly string[]): SuggestedAction[] {
  return options.slice(0, 8).map((label, i) => ({
    id: `reply:${label}`,
    label,
    kind: 'inject' as const,
    keys: [...Array.from({ length: i }, () => 'Down'), 'Enter'],
  }));
}

/** The insight a verdict calls for; null while the agent is working. */
export function draftInsight(v: Verdict, c: DraftContext): InsightDraft | null {
  const who = `${agentLabel(c.reading?.agent ?? c.agent)} in "${c.sessionName}"`;
  const line = v.finding && c.reading ? clip(c.reading.lines[v.finding.index] ?? '') : '';
  const shown = v.finding && c.reading ? linesAround(c.reading, v.finding.index) : c.reading ? lastLines(c.reading) : [];
  const context = {
    source: 'screen',
    state: v.state,
    reason: v.reason,
    agent: c.agent,
    detectedAgent: c.reading?.agent ?? null,
    patternId: v.finding?.patternId ?? null,
    quietSeconds: Math.round(c.quietMs / 1000),
    lastOutputAt: new Date(c.lastOutputAt).toISOString(),
  };
  const base = { lines: shown, confidence: v.confidence };
  switch (v.state) {
    case 'working':
      return null;
    case 'waiting_input': {
      if (v.reason === 'ready') {
        return { ...base, type: 'waiting_input', severity: 'info', message: `${who} finished and is waiting for your next instruction`, context, suggestedActions: [OPEN, DISMISS] };
      }
      const message =
        v.reason === 'permission'
          ? `${who} is asking for permission: ${line}`
          : v.reason === 'confirm'
            ? `${who} is waiting for a yes/no answer: ${line}`
            : /\.question\.(secret|enter)$/.test(v.finding?.patternId ?? '')
              ? `${who} is asking for input: ${line}`
              : `${who} asked: ${line}`;
      const options = v.reason === 'question' ? (c.reading?.options ?? []) : [];
      const actions = v.reason === 'question' ? [...replyActions(options), OPEN, DISMISS] : [...approveActions(v), OPEN, DISMISS];
      return { ...base, type: 'waiting_input', severity: 'warning', message, context: options.length ? { ...context, options } : context, suggestedActions: actions };
    }
    case 'idle':
      return { ...base, type: 'exited', severity: 'info', message: `${who} exited; the shell is back`, context, suggestedActions: [OPEN, DISMISS] };
    case 'errored':
      return {
        ...base,
        type: 'error',
        severity: 'error',
        message: v.reason === 'crash' ? `${who} crashed: ${line}` : `${who} reported an error: ${line}`,
        context,
        suggestedActions: [OPEN, DISMISS],
      };
    case 'stalled': {
      const quiet = formatDuration(c.quietMs);
      const what = v.reason === 'frozen' ? `shows it is working but has not redrawn for ${quiet}` : `has printed nothing for ${quiet}`;
      const steps = ['', ' (nudged)', ' (nudged, then sent Esc)', ''][c.escalation];
      const severity: InsightSeverity = c.escalation >= 3 ? 'error' : 'warning';
      const message =
        c.escalation >= 3
          ? `${who} ${what} and did not respond to a nudge or Esc; it needs you`
          : `${who} ${what} and is not using CPU${steps}`;
      return {
        ...base,
        type: 'stalled',
        severity,
        message,
        context: { ...context, escalation: c.escalation },
        suggestedActions: [
          { id: 'nudge', label: `Send "${clip(c.nudgeText, 40)}"`, kind: 'inject', text: c.nudgeText },
          { id: 'interrupt', label: 'Press Esc', kind: 'inject', keys: ['Escape'] },
          { id: 'ctrl-c', label: 'Press Ctrl-C', kind: 'inject', keys: ['C-c'] },
          OPEN,
          DISMISS,
        ],
      };
    }
  }
}
