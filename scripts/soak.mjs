#!/usr/bin/env node
// `npm run soak`: the fault and fuzz suites at full size (test/soak), one after the other:
//   kill      kill -9 of the api, the terminal service and the web edge, 10 times each,
//             with 100 sessions printing, 20 clients attached and an event stream resuming;
//   bad-input 10,000 malformed JSON bodies, headers, request targets and websocket frames;
//   forged    forged credentials on every door (edge, api.sock, terminal.sock, rdv mcp).
// Each prints a `[soak:<suite>]` line with its counts. `npm test` runs the same files small.
// `npm run soak -- kill` runs one suite; RDV_SOAK_SEED repeats a run's random choices;
// RDV_SOAK_INPUTS sets the bad-input count; RDV_SOAK_KEEP=1 keeps each RDV_HOME (logs, database).
// Installs and builds first when needed (turbo skips what is up to date).
import { spawnSync } from 'node:child_process';
import { ROOT, build, ensureInstalled, step, toolEnv } from './ensure.mjs';

const SUITES = ['kill', 'bad-input', 'forged'];
const wanted = process.argv.slice(2).filter((a) => SUITES.includes(a));
const files = (wanted.length ? wanted : SUITES).map((s) => `test/soak/${s}.int.test.ts`);

ensureInstalled();
build();
step(`soak: ${files.join(', ')}`);
const r = spawnSync('npx', ['vitest', 'run', '--fileParallelism=false', '--testTimeout=1800000', '--hookTimeout=300000', ...files], {
  cwd: ROOT,
  stdio: 'inherit',
  env: toolEnv({ RDV_SOAK: 'full' }),
});
process.exit(r.status ?? 1);
