import { describe, expect, it } from 'vitest';
import type { Verdict } from '../detect/classify.js';
import { screenMayOverride } from './precedence.js';
import { readAgentEvent } from './signals.js';

describe('readAgentEvent', () => {
  it('reads Claude Code hooks', () => {
    const c = (e: Record<string, unknown>) => readAgentEvent('claude', { session_id: 'abc-1', ...e });
    expect(c({ hook_event_name: 'SessionStart', source: 'startup' })).toEqual({ signal: { kind: 'working', reason: 'started' }, name: 'SessionStart', agentSessionId: 'abc-1', starts: true });
    expect(c({ hook_event_name: 'Notification', notification_type: 'permission_prompt', message: 'Claude needs your\npermission to use Bash' }).signal).toEqual({
      kind: 'permission',
      message: 'Claude needs your permission to use Bash',
      reminder: true,
    });
    expect(c({ hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: { command: 'rm -rf build' } }).signal).toEqual({ kind: 'permission', message: 'Bash: rm -rf build' });
    const ask = c({
      hook_event_name: 'PreToolUse',
      tool_name: 'AskUserQuestion',
      tool_input: { questions: [{ question: 'Which DB?', header: 'DB', options: [{ label: 'Postgres', description: 'x' }, { label: 'SQLite' }] }] },
    });
    expect(ask.signal).toEqual({ kind: 'question', message: 'Which DB?', options: ['Postgres', 'SQLite'] });
    expect(c({ hook_event_name: 'PreToolUse', tool_name: 'Bash' }).signal).toEqual({ kind: 'working', reason: 'tool' });
    expect(c({ hook_event_name: 'Stop', last_assistant_message: 'All done.' }).signal).toEqual({ kind: 'turn_finished', message: 'All done.' });
    expect(c({ hook_event_name: 'Stop', stop_hook_active: true }).signal).toEqual({ kind: 'none' });
    expect(c({ hook_event_name: 'StopFailure', error: 'rate_limit' }).signal).toEqual({ kind: 'errored', message: 'rate_limit' });
    expect(c({ hook_event_name: 'SessionEnd', reason: 'logout' }).signal).toEqual({ kind: 'exited', message: 'logout' });
    expect(c({ hook_event_name: 'Notification', notification_type: 'auth_success' }).signal).toEqual({ kind: 'none' });
    expect(c({ hook_event_name: 'Whatever' }).signal).toEqual({ kind: 'none' });
    expect(readAgentEvent('claude', { hook_event_name: 'Stop', session_id: 'bad id; rm' }).agentSessionId).toBeNull();
  });

  it("reads Codex's notify and hooks, Gemini CLI hooks and OpenCode events", () => {
    expect(readAgentEvent('codex', { type: 'agent-turn-complete', 'thread-id': 't-9', 'last-assistant-message': 'ok' })).toEqual({
      signal: { kind: 'turn_finished', message: 'ok' },
      name: 'agent-turn-complete',
      agentSessionId: 't-9',
      starts: false,
    });
    expect(readAgentEvent('codex', { hook_event_name: 'PreToolUse', tool_name: 'request_user_input', tool_input: { questions: [{ question: 'Go?', options: ['yes', 'no'] }] } }).signal).toEqual({
      kind: 'question',
      message: 'Go?',
      options: ['yes', 'no'],
    });
    expect(readAgentEvent('gemini', { hook_event_name: 'Notification', notification_type: 'ToolPermission', message: 'Allow rm?', details: { type: 'exec' } }).signal).toEqual({
      kind: 'permission',
      message: 'Allow rm?',
    });
    expect(readAgentEvent('gemini', { hook_event_name: 'AfterAgent', prompt_response: 'Done' }).signal).toEqual({ kind: 'turn_finished', message: 'Done' });
    const oc = (type: string, properties: Record<string, unknown>) => readAgentEvent('opencode', { type, properties });
    expect(oc('session.created', { info: { id: 'ses_1' } })).toMatchObject({ agentSessionId: 'ses_1', starts: true });
    expect(oc('permission.asked', { sessionID: 'ses_1', permission: 'bash', patterns: ['npm test'] }).signal).toEqual({ kind: 'permission', message: 'bash: npm test' });
    expect(oc('question.asked', { questions: [{ question: 'Which?', options: [{ label: 'a' }, { label: 'b' }] }] }).signal).toEqual({ kind: 'question', message: 'Which?', options: ['a', 'b'] });
    expect(oc('session.status', { status: { type: 'idle' } }).signal).toEqual({ kind: 'turn_finished', message: null });
    expect(oc('message.part.updated', {}).signal).toEqual({ kind: 'none' });
  });
});

describe('screenMayOverride', () => {
  const v = (state: Verdict['state']): Verdict => ({ state, reason: 'ready', finding: null, confidence: 0.8, needCpu: false });
  const hook = { state: 'waiting_input' as const, reason: 'permission', message: 'x', at: 100_000 };
  const tr = (over: Record<string, unknown> = {}) => ({ hook, shell: { seenAt: null, confirmed: false, checkedAt: 0 }, lastOutputAt: 100_500, ...over });

  it('keeps a fresh hook state, and one the screen has not moved past', () => {
    expect(screenMayOverride(tr(), v('waiting_input'), 105_000)).toBe(false);
    expect(screenMayOverride(tr(), v('working'), 500_000)).toBe(false);
    expect(screenMayOverride(tr({ lastOutputAt: 120_000 }), v('waiting_input'), 130_000)).toBe(true);
    expect(screenMayOverride(tr({ lastOutputAt: 120_000 }), v('waiting_input'), 105_000)).toBe(false);
  });

  it('lets exact findings through: the shell back in front, and silence after "working"', () => {
    expect(screenMayOverride(tr({ shell: { seenAt: 1, confirmed: true, checkedAt: 1 } }), v('idle'), 101_000)).toBe(true);
    expect(screenMayOverride(tr({ hook: { ...hook, state: 'working' } }), v('stalled'), 101_000)).toBe(true);
    expect(screenMayOverride(tr(), v('stalled'), 101_000)).toBe(false);
  });
});
