import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Agent } from '../../schemas/index.js';
import { classify, type ClassifyInput } from './classify.js';
import { readScreen } from './recognise.js';

interface Fixture {
  file: string;
  agent: Agent;
  expect: { state: string; reason: string; detectedAgent?: string; options?: string[] };
  facts: Partial<Pick<ClassifyInput, 'quietMs' | 'atShell' | 'cpuBusy'>>;
}

const dir = new URL('./fixtures/', import.meta.url);
const fixtures = JSON.parse(readFileSync(new URL('fixtures.json', dir), 'utf8')) as Fixture[];
const screen = (file: string) => readFileSync(new URL(file, dir), 'utf8');

const facts = (f: Fixture['facts']): Omit<ClassifyInput, 'reading'> => ({
  quietMs: f.quietMs ?? 5000,
  settled: true,
  atShell: f.atShell ?? false,
  cpuBusy: f.cpuBusy ?? false,
  stallThresholdMs: 300_000,
  frozenBusyMs: 3_000_000,
});

describe('recognisers against recorded screens', () => {
  it.each(fixtures.map((f) => [`${f.file} (${JSON.stringify(f.facts)})`, f] as const))('%s', (_name, f) => {
    const reading = readScreen(screen(f.file), f.agent);
    const verdict = classify({ reading, ...facts(f.facts) });
    expect({ state: verdict.state, reason: verdict.reason }).toEqual({ state: f.expect.state, reason: f.expect.reason });
    if (f.expect.detectedAgent) expect(reading.agent).toBe(f.expect.detectedAgent);
    if (f.expect.options) expect(reading.options).toEqual(f.expect.options);
    if (verdict.finding) expect(verdict.finding.confidence).toBeGreaterThan(0.5);
  });

  it('reads a screen the same whatever the declared agent', () => {
    for (const f of fixtures.filter((x) => x.expect.detectedAgent)) {
      expect(readScreen(screen(f.file), null).agent, f.file).toBe(f.expect.detectedAgent);
    }
  });
});

describe('readScreen', () => {
  it('strips control characters and box borders', () => {
    const r = readScreen('│ Do you want to proceed? │\u0007\n│ ❯ 1. Yes │\n\n\n');
    expect(r.lines).toEqual(['Do you want to proceed?', '❯ 1. Yes']);
    expect(r.findings.permission?.patternId).toBe('claude.permission.question');
  });

  it('needs a prompt near the bottom, not anywhere in the scrollback', () => {
    const lines = ['Overwrite config.json? [y/N] y', ...Array.from({ length: 10 }, (_, i) => `copied file ${i}`)];
    const r = readScreen(lines.join('\n'));
    expect(r.findings.confirm).toBeUndefined();
    expect(classify({ reading: r, ...facts({ quietMs: 1000 }) }).state).toBe('working');
  });

  it('takes a question only from the last line of content', () => {
    expect(readScreen('Why is it slow?\nLooking at the profile now').findings.question).toBeUndefined();
    expect(readScreen('Looking at the profile.\nShould I keep the cache?').findings.question?.index).toBe(1);
    expect(readScreen('Pick one?\n  1) a\n  2) b\n> ').findings.question?.index).toBe(0);
  });

  it('finds the shell prompt and errors of the last command only', () => {
    const r = readScreen('$ ./a\nsh: 1: x: not found\n$ ./b\nok\n$ ');
    expect(r.shellPrompt).toBe(true);
    expect(r.shellError).toBeNull();
    expect(readScreen('$ ./b\nsh: 1: x: not found\n$ ').shellError?.patternId).toBe('generic.error.not-found');
  });

  it('treats an empty screen as nothing', () => {
    const r = readScreen('');
    expect(r).toMatchObject({ lines: [], agent: null, findings: {}, shellPrompt: false, shellError: null });
  });
});

describe('bare shell prompts', () => {
  it('knows a shell prompt line from output that happens to end in $ or #', () => {
    for (const line of ['$', 'dev@box:~/src/tool$', 'root@host:/#', 'bash-5.2$', '%', 'me@mac ~ %']) {
      expect(readScreen(`done\n${line} `).bareShell, line).toBe(true);
    }
    for (const line of ['Total: 5$', 'echo $', 'price in #', 'Step 3/7', '>', 'Overwrite? [y/N]']) {
      expect(readScreen(`done\n${line}`).bareShell, line).toBe(false);
    }
  });
});
