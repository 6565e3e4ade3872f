import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toText } from '../../output/index.js';
import { codeBlock, extractLearnings, inlineCode, proposalHash, unblockLearnings } from './learnings.js';
import { parseSteps, programOf } from './transcript.js';

/** A recorded log as the extraction reads it: rendered to text like the api's output reader does. */
const fixture = (name: string) => toText(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

describe('reading commands out of a log', () => {
  it('finds a shell session\'s commands behind a coloured prompt, and what each printed', () => {
    const steps = parseSteps(fixture('shell-session.log'));
    expect(steps.map((s) => [s.program, s.command, s.error !== null])).toEqual([
      ['npm', 'npm test', true],
      ['npm', 'npm rebuild better-sqlite3', false],
      ['npm', 'npm test', false],
      ['python', 'python manage.py migrate', true],
      ['python3', 'python3 manage.py migrate', false],
      ['git', 'git push', true],
      ['git', 'git pull --rebase', false],
    ]);
    expect(steps[0]!.error).toBe('FAIL  src/db.test.ts > opens the database');
    expect(steps[3]!.error).toBe('bash: python: command not found');
  });

  it("reads Claude Code's Bash(…) calls and Codex's Ran lines, ending each at the agent's next line", () => {
    const claude = parseSteps(fixture('claude-code.log'));
    expect(claude.map((s) => [s.command, s.error])).toEqual([
      ['npm run build', 'Error: Exit code 2'],
      ['npx tsc -p tsconfig.build.json', null],
      ['npm run build -- --project tsconfig.build.json', null],
    ]);
    // The agent's own words after a call are not the call's output.
    expect(claude[0]!.output.join('\n')).not.toContain('import path is wrong');
    const codex = parseSteps(fixture('codex.log'));
    expect(codex.map((s) => [s.command, s.error !== null])).toEqual([
      ['cargo build', true],
      ['cargo add serde_json', false],
      ['cargo build', false],
    ]);
  });

  it('names the program past env assignments, wrappers and cd', () => {
    expect(programOf('FOO=1 sudo npm test')).toBe('npm');
    expect(programOf('cd api && make -j4')).toBe('make');
    expect(programOf('nice -n 10 npx vitest run')).toBe('npx');
    expect(programOf('/usr/bin/Python3 -V')).toBe('python3');
  });
});

describe('learnings from a log', () => {
  it('pairs an error with the next command of the same program that worked', () => {
    const found = extractLearnings(fixture('shell-session.log'));
    expect(found.map((l) => l.title)).toEqual([
      'npm rebuild better-sqlite3 works where npm test failed',
      'python3 manage.py migrate works where python manage.py migrate failed',
      'git pull --rebase works where git push failed',
    ]);
    expect(found[0]).toEqual({
      kind: 'error_fix',
      title: 'npm rebuild better-sqlite3 works where npm test failed',
      body: '`npm test` failed with:\n\n```\nFAIL src/db.test.ts > opens the database\n```\n\n`npm rebuild better-sqlite3` worked.\n',
      evidence: expect.stringMatching(/^\$ npm test\n/),
    });
    expect(found[0]!.evidence).toContain("Error: Cannot find module 'better-sqlite3'");
    expect(found[0]!.evidence).toContain('$ npm rebuild better-sqlite3\nrebuilt dependencies successfully');
  });

  it('reads agents\' transcripts the same way', () => {
    expect(extractLearnings(fixture('claude-code.log')).map((l) => l.title)).toEqual([
      'npm run build -- --project tsconfig.build.json works where npm run build failed',
    ]);
    const [cargo] = extractLearnings(fixture('codex.log'));
    expect(cargo!.title).toBe('cargo add serde_json works where cargo build failed');
    expect(cargo!.body).toContain('error[E0433]: failed to resolve: use of undeclared crate or module `serde_json`');
  });

  it('proposes nothing for a retry of the same command, or words like "0 errors" in a success', () => {
    expect(extractLearnings(fixture('nothing-learned.log'))).toEqual([]);
    expect(extractLearnings('')).toEqual([]);
  });

  it('is deterministic, caps what it returns and never repeats itself', () => {
    const text = fixture('shell-session.log');
    expect(extractLearnings(text)).toEqual(extractLearnings(text));
    expect(extractLearnings(text, [], 2)).toHaveLength(2);
    expect(extractLearnings(`${text}\n${text}`)).toHaveLength(3);
    const [a] = extractLearnings(text);
    expect(proposalHash(a!.title, a!.body)).toBe(proposalHash(` ${a!.title}`, `${a!.body}\n`));
  });

  it('keeps what a person typed to a waiting agent, unless it only said yes or no', () => {
    const at = '2026-01-01T00:00:00.000Z';
    const found = unblockLearnings([
      { text: 'y', source: 'prompt', waitedFor: 'permission: Bash: rm -rf build', at },
      { text: '2', source: 'inject', waitedFor: 'a question', at },
      { text: 'use `pnpm` here, not npm', source: 'prompt', waitedFor: 'asked: Which package manager?', at },
    ]);
    expect(found).toEqual([
      {
        kind: 'unblock',
        title: 'Unblocked with: use `pnpm` here, not npm',
        body: 'The agent was waiting (asked: Which package manager?); a person typed this and it went on:\n\n```\nuse `pnpm` here, not npm\n```\n',
        evidence: 'waiting: asked: Which package manager?\ntyped (prompt): use `pnpm` here, not npm',
      },
    ]);
  });

  it('quotes hostile commands so markdown cannot break out of the code', () => {
    expect(inlineCode('echo `id`')).toBe('`` echo `id` ``');
    expect(inlineCode('a `b` c')).toBe('``a `b` c``');
    expect(inlineCode('`x')).toBe('`` `x ``');
    expect(codeBlock('a\n```\nb')).toBe('````\na\n```\nb\n````');
    const [l] = extractLearnings('$ rm x`\nrm: x`: No such file or directory\n$ rm "x`"\n$ \n');
    expect(l!.body.startsWith('`` rm x` `` failed with:')).toBe(true);
  });

  it('reads a log caught mid-command the same way, proposing only what it will propose once the command ends', () => {
    for (const name of ['shell-session.log', 'claude-code.log', 'codex.log']) {
      const bytes = readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
      const key = (l: { title: string; body: string }) => `${l.title}\n${l.body}`;
      const final = new Set(extractLearnings(toText(bytes)).map(key));
      expect(final.size).toBeGreaterThan(0);
      // Every point the log could be read at while it is still being written.
      for (let n = 1; n < bytes.length; n++) {
        for (const l of extractLearnings(toText(bytes.subarray(0, n)))) expect(final, `${name} read to byte ${n}`).toContain(key(l));
      }
    }
    // A command whose output has not ended yet is not judged: its prompt is still to come.
    expect(extractLearnings('$ make\nmake: *** [all] Error 1\n$ make -j1\n')).toEqual([]);
    expect(extractLearnings('$ make\nmake: *** [all] Error 1\n$ make -j1\ndone\n$ ')).toHaveLength(1);
  });

  it("reads a prompt that another shell's prompt ran into on the same line", () => {
    const log = toText(Buffer.from('claude --settings /x\r\n# \x1b[01;32mdev@box\x1b[00m:~/app$ npm test\r\r\nError: Cannot find module \'x\'\r\r\ndev@box:~/app$ npm rebuild x\r\r\nok\r\r\ndev@box:~/app$ \r\n'));
    expect(parseSteps(log).map((s) => [s.command, s.error !== null])).toEqual([
      ['npm test', true],
      ['npm rebuild x', false],
    ]);
    expect(extractLearnings(log).map((l) => l.title)).toEqual(['npm rebuild x works where npm test failed']);
  });
});
