import { describe, expect, it } from 'vitest';
import { classify, type ClassifyInput } from './classify.js';
import { readScreen } from './recognise.js';

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
