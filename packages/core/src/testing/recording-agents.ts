import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTempDir } from './index.js';

/** The exit text each agent prints, naming the conversation to resume (see the agents' docs). */
const EXIT_TEXT: Record<string, (id: string) => string> = {
  claude: (id) => `Resume this session with:\\nclaude --resume ${id}`,
  codex: (id) => `To continue this session, run codex resume ${id}`,
  gemini: (id) => `To resume this session: gemini --resume ${id}`,
  opencode: (id) => `Continue  opencode -s ${id}`,
};

export interface RecordingAgents {
  /** The folder holding `claude`, `codex`, `gemini` and `opencode`: put it first on the session's PATH. */
  bin: string;
  /** Each start of a fake agent so far, as "<name> <args…>", oldest first. */
  starts(): string[];
}

/**
 * Fake agent executables that record their argv, say "<name> ready (<args>)", echo each
 * line typed, and on "/quit" print their agent's exit text naming `ids[name]` and exit.
 * They end on SIGHUP/SIGTERM like a real TUI.
 */
export function useRecordingAgents(ids: Record<string, string>, scope: 'test' | 'file' = 'test'): RecordingAgents {
  const bin = useTempDir(scope, 'rdv-agents-');
  const argvFile = join(bin, 'argv.log');
  for (const [name, text] of Object.entries(EXIT_TEXT)) {
    const script = [
      '#!/bin/sh',
      `echo "${name} $*" >> '${argvFile}'`,
      `echo "${name} ready ($*)"`,
      'while IFS= read -r line; do',
      '  case "$line" in',
      `    /quit) printf '%b\\n' '${text(ids[name] ?? `${name}-id`)}'; exit 0;;`,
      '    *) echo "got: $line";;',
      '  esac',
      'done',
    ].join('\n');
    writeFileSync(join(bin, name), `${script}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  return {
    bin,
    starts: () => (existsSync(argvFile) ? readFileSync(argvFile, 'utf8').split('\n').filter(Boolean).map((l) => l.trimEnd()) : []),
  };
}
