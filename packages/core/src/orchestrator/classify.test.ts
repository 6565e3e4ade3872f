import { describe, expect, it } from 'vitest';
import { classify, type ClassifyInput } from './classify.js';
import { freshIntervention, MAX_NUDGES_PER_HOUR, nextIntervention } from './intervention.js';
import { readScreen } from './recognise.js';
import { draftInsight, formatDuration, verdictKey } from './rules.js';

const base = (screen: string, over: Partial<ClassifyInput> = {}): ClassifyInput => ({
  reading: readScreen(screen),
  quietMs: 5000,
  settled: true,
  atShell: false,
  cpuBusy: null,
  stallThresholdMs: 10_000,
  frozenBusyMs: 100_000,
  ...over,
});

describe('classify', () => {
  it('calls an agent that is printing working, whatever its screen says', () => {
    expect(classify(base('Continue? [y/N]', { settled: false }))).toMatchObject({ state: 'working', reason: 'output' });
  });

  it('prefers a shell back in front over the screen, and reads the crash from it', () => {
    expect(classify(base('$ ./a\nbye\n$ ', { atShell: true }))).toMatchObject({ state: 'idle', reason: 'shell' });
    expect(classify(base('$ ./a\npanic: boom\n$ ', { atShell: true }))).toMatchObject({ state: 'errored', reason: 'crash' });
    expect(classify(base('➜  parser git:(main)', { atShell: null }))).toMatchObject({ state: 'working' });
    // Without /proc's word, a bare prompt on its own still says the agent is gone.
    expect(classify(base('$ ./a\nbye\ndev@box:~/src$ ', { atShell: false }))).toMatchObject({ state: 'idle', confidence: 0.6 });
  });

  it('asks for CPU only near the threshold, and waits for it before calling a stall', () => {
    const screen = 'Step 3/7: compiling';
    expect(classify(base(screen, { quietMs: 5000 }))).toMatchObject({ state: 'working', needCpu: false });
    expect(classify(base(screen, { quietMs: 9000 }))).toMatchObject({ state: 'working', reason: 'quiet', needCpu: true });
    expect(classify(base(screen, { quietMs: 11_000 }))).toMatchObject({ state: 'working', reason: 'pending' });
    expect(classify(base(screen, { quietMs: 11_000, cpuBusy: true }))).toMatchObject({ state: 'working', reason: 'cpu' });
    expect(classify(base(screen, { quietMs: 11_000, cpuBusy: false }))).toMatchObject({ state: 'stalled', reason: 'silent' });
  });

  it('never calls a prompt, a question or a finished agent stalled', () => {
    for (const screen of ['Overwrite? [y/N] ', 'Which branch should I use?', '╭──────────╮\n│ >        │\n╰──────────╯\n  ? for shortcuts']) {
      expect(classify(base(screen, { quietMs: 1e9, cpuBusy: false })).state, screen).toBe('waiting_input');
    }
  });

  it('trusts a busy indicator until it has been frozen for a long time', () => {
    const screen = '✻ Compacting conversation… (esc to interrupt)';
    expect(classify(base(screen, { quietMs: 50_000, cpuBusy: false }))).toMatchObject({ state: 'working', reason: 'compacting' });
    expect(classify(base(screen, { quietMs: 200_000, cpuBusy: false }))).toMatchObject({ state: 'stalled', reason: 'frozen' });
  });

  it('does not let a bare spinner or "Thinking..." hold off a stall', () => {
    for (const screen of ['Thinking...', '⠋ Loading the plan']) {
      expect(classify(base(screen, { quietMs: 2000 })), screen).toMatchObject({ state: 'working', reason: 'busy' });
      expect(classify(base(screen, { quietMs: 11_000, cpuBusy: false })), screen).toMatchObject({ state: 'stalled', reason: 'silent' });
    }
  });
});

describe('insight drafts', () => {
  const ctx = { sessionName: 'api', agent: 'claude' as const, quietMs: 400_000, lastOutputAt: 0, escalation: 0 as const, nudgeText: 'go on' };

  it('says who, what and offers actions a client can send', () => {
    const reading = readScreen('│ Do you want to proceed? │\n│ ❯ 1. Yes │\n│   2. No │');
    const draft = draftInsight(classify(base('', { reading })), { ...ctx, reading });
    expect(draft).toMatchObject({ type: 'waiting_input', severity: 'warning', message: 'Claude Code in "api" is asking for permission: Do you want to proceed?' });
    expect(draft!.lines).toEqual(['Do you want to proceed?', '❯ 1. Yes', '2. No']);
    expect(draft!.suggestedActions.find((a) => a.id === 'approve')).toMatchObject({ kind: 'inject', keys: ['Enter'] });
  });

  it('escalates a stall without changing its identity', () => {
    const reading = readScreen('Step 3/7');
    const v = classify(base('', { reading, quietMs: 400_000, cpuBusy: false }));
    const first = draftInsight(v, { ...ctx, reading });
    const raised = draftInsight(v, { ...ctx, reading, escalation: 3 });
    expect(first).toMatchObject({ type: 'stalled', severity: 'warning' });
    expect(first!.message).toContain('has printed nothing for 7 min');
    expect(raised).toMatchObject({ type: 'stalled', severity: 'error' });
    expect(raised!.message).toContain('did not respond to a nudge or Esc');
    expect(verdictKey(v, reading, 0)).not.toBe(verdictKey(v, reading, 3));
    expect(draftInsight(classify(base('x', { settled: false })), { ...ctx, reading })).toBeNull();
  });

  it('formats durations for people', () => {
    expect([formatDuration(5_000), formatDuration(300_000), formatDuration(9_000_000)]).toEqual(['5 s', '5 min', '3 h']);
  });
});

describe('auto-intervention', () => {
  it('nudges, then Esc, then raises, then stops', () => {
    let s = freshIntervention();
    const actions: Array<string | null> = [];
    for (const at of [0, 1000, 10_000, 15_000, 20_000, 30_000, 60_000]) {
      const r = nextIntervention(s, at, 10_000);
      actions.push(r.action);
      s = r.state;
    }
    expect(actions).toEqual(['nudge', null, 'escape', null, 'raise', null, null]);
  });

  it('caps nudges per hour for an agent that keeps stalling', () => {
    let s = freshIntervention();
    const actions: Array<string | null> = [];
    for (let i = 0; i <= MAX_NUDGES_PER_HOUR; i++) {
      const r = nextIntervention({ ...s, step: 0 }, i * 60_000, 10_000);
      actions.push(r.action);
      s = r.state;
    }
    expect(actions).toEqual([...Array(MAX_NUDGES_PER_HOUR).fill('nudge'), 'raise']);
  });
});
