import type { Agent, SessionState } from '../../schemas/index.js';
import { DISMISS, OPEN, permissionActions, replyActions } from '../act/rules.js';
import { agentLabel } from '../detect/recognise.js';
import type { InsightDraft } from '../insights.js';
import type { AgentSignal } from './signals.js';

/** The state a hook signal means, with its reason and what the agent said. */
export interface HookVerdict {
  state: SessionState;
  reason: string;
  message: string | null;
}

/** The state a signal puts the session in; null for `none` (nothing changes). */
export function hookVerdict(signal: AgentSignal): HookVerdict | null {
  switch (signal.kind) {
    case 'working':
      return { state: 'working', reason: signal.reason, message: null };
    case 'permission':
      return { state: 'waiting_input', reason: 'permission', message: signal.message };
    case 'question':
      return { state: 'waiting_input', reason: 'question', message: signal.message };
    case 'turn_finished':
      return { state: 'waiting_input', reason: 'ready', message: signal.message };
    case 'errored':
      return { state: 'errored', reason: 'error', message: signal.message };
    case 'exited':
      return { state: 'idle', reason: 'exited', message: signal.message };
    case 'none':
      return null;
  }
}

/** Identity of what a hook says: the same permission again changes nothing. */
export const hookKey = (v: HookVerdict): string => ['hook', v.state, v.reason, v.message ?? ''].join('|');

/**
 * The insight a hook signal calls for (null while working). Marked `source: "hook"`; a
 * permission carries Allow/Deny keys for the agent's UI and a question one reply per option.
 */
export function draftFromHook(signal: AgentSignal, c: { sessionName: string; agent: Agent | null }): InsightDraft | null {
  const who = `${agentLabel(c.agent)} in "${c.sessionName}"`;
  const v = hookVerdict(signal);
  if (!v || v.state === 'working') return null;
  const context = { source: 'hook', state: v.state, reason: v.reason, agent: c.agent, message: v.message };
  const base = { lines: v.message ? [v.message] : [], confidence: 1, context };
  switch (signal.kind) {
    case 'permission':
      return {
        ...base,
        type: 'waiting_input',
        severity: 'warning',
        message: `${who} is asking for permission: ${signal.message}`,
        suggestedActions: [...permissionActions(c.agent), OPEN, DISMISS],
      };
    case 'question':
      return {
        ...base,
        type: 'waiting_input',
        severity: 'warning',
        message: `${who} asked: ${signal.message}`,
        context: { ...context, options: signal.options },
        suggestedActions: [...replyActions(signal.options), OPEN, DISMISS],
      };
    case 'turn_finished':
      return { ...base, type: 'waiting_input', severity: 'info', message: `${who} finished and is waiting for your next instruction`, suggestedActions: [OPEN, DISMISS] };
    case 'errored':
      return { ...base, type: 'error', severity: 'error', message: `${who} reported an error: ${signal.message}`, suggestedActions: [OPEN, DISMISS] };
    case 'exited':
      return { ...base, type: 'exited', severity: 'info', message: `${who} exited; the shell is back`, suggestedActions: [OPEN, DISMISS] };
    default:
      return null;
  }
}
