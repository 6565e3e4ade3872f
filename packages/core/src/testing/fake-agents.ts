// Fake agent CLIs on PATH (fake-agent.mjs behind a shim per agent), for tests and the bench.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FAKE_AGENT_SCRIPT = fileURLToPath(new URL('./fake-agent.mjs', import.meta.url));
export const FAKE_AGENT_NAMES = ['claude', 'codex', 'gemini', 'opencode'] as const;

export interface FakeAgents {
  /** The folder holding `claude`, `codex`, `gemini` and `opencode`. */
  bin: string;
  /** A HOME whose .profile puts `bin` first on PATH (login shells reset PATH). */
  home: string;
  /** Where the fakes log each hook run and each answer (JSON lines). */
  logFile: string;
  /** For a session's env: PATH with `bin` first, HOME, FAKE_AGENT_LOG. */
  env: Record<string, string>;
  /** What the fakes logged so far. */
  entries(): Array<Record<string, any>>;
}

/** Writes the fake agents under `dir`. */
export function makeFakeAgents(dir: string): FakeAgents {
  const bin = join(dir, 'bin');
  const home = join(dir, 'home');
  mkdirSync(bin, { recursive: true });
  mkdirSync(home, { recursive: true });
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  for (const name of FAKE_AGENT_NAMES) {
    const file = join(bin, name);
    writeFileSync(file, `#!/bin/sh\nexec ${q(process.execPath)} ${q(FAKE_AGENT_SCRIPT)} ${name} "$@"\n`);
    chmodSync(file, 0o755);
  }
  writeFileSync(join(home, '.profile'), `PATH=${q(bin)}:"$PATH"; export PATH\n`);
  const logFile = join(dir, 'agents.log');
  return {
    bin,
    home,
    logFile,
    env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: home, FAKE_AGENT_LOG: logFile },
    entries: () =>
      existsSync(logFile)
        ? readFileSync(logFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as Record<string, any>)
        : [],
  };
}
