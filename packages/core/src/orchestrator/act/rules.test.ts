import { describe, expect, it } from 'vitest';
import { classify, type ClassifyInput } from '../detect/classify.js';
import { readScreen, type ScreenReading } from '../detect/recognise.js';
import { draftInsight, formatDuration, verdictKey } from './rules.js';

// The verdict classify gives a settled screen under these facts.
const verdict = (reading: ScreenReading, over: Partial<ClassifyInput> = {}) =>
  classify({ reading, quietMs: 5000, settled: true, atShell: false, cpuBusy: null, stallThresholdMs: 10_000, frozenBusyMs: 100_000, ...over });

describe('insight drafts', () => {
  const ctx = { sessionName: 'api', agent: 'claude' as const, quietMs: 400_000, lastOutputAt: 0, escalation: 0 as const, nudgeText: 'go on' };

  it('says who, what and offers actions a client can send', () => {
    const reading = readScreen('│ Do you want to proceed? │\n│ ❯ 1. Yes │\n│   2. No │');
    const draft = draftInsight(verdict(reading), { ...ctx, reading });
    expect(draft).toMatchObject({ type: 'waiting_input', severity: 'warning', message: 'Claude Code in "api" is asking for permission: Do you want to proceed?' });
    expect(draft!.lines).toEqual(['Do you want to proceed?', '❯ 1. Yes', '2. No']);
    expect(draft!.suggestedActions.find((a) => a.id === 'approve')).toMatchObject({ kind: 'inject', keys: ['Enter'] });
  });

  it('escalates a stall without changing its identity', () => {
    const reading = readScreen('Step 3/7');
    const v = verdict(reading, { quietMs: 400_000, cpuBusy: false });
    const first = draftInsight(v, { ...ctx, reading });
    const raised = draftInsight(v, { ...ctx, reading, escalation: 3 });
    expect(first).toMatchObject({ type: 'stalled', severity: 'warning' });
    expect(first!.message).toContain('has printed nothing for 7 min');
    expect(raised).toMatchObject({ type: 'stalled', severity: 'error' });
    expect(raised!.message).toContain('did not respond to a nudge or Esc');
    expect(verdictKey(v, reading, 0)).not.toBe(verdictKey(v, reading, 3));
    expect(draftInsight(verdict(readScreen('x'), { settled: false }), { ...ctx, reading })).toBeNull();
  });

  it('formats durations for people', () => {
    expect([formatDuration(5_000), formatDuration(300_000), formatDuration(9_000_000)]).toEqual(['5 s', '5 min', '3 h']);
  });
});
