#!/usr/bin/env node
// `npm run bench`: every benchmark, each against a baseline it measures in the same run.
//   1. the terminal service: throughput, fan-out to 10 clients, keystroke echo
//      (services/terminal/bench/bench.mjs; BENCH_MB and BENCH_KEYS shrink it);
//   2. orchestrator monitoring: CPU cost for 200 idle + 20 busy sessions by method
//      (scripts/bench-monitoring.mjs; `--seconds N` per window);
//   3. attention: `rdv hook` wall time, hook event → SSE, hook event → webhook
//      (scripts/bench-attention.mjs; `--runs N`);
//   4. continuity: terminal throughput with output logging on vs off, search over 1 GB of
//      logs and the index's size (scripts/bench-continuity.mjs; BENCH_LOG_MB shrinks it).
//   5. edge: the terminal stream and keystroke echo through the web edge over TCP vs
//      terminal.sock directly (scripts/bench/edge.mjs; `--mb`, `--keys`);
//   6. browser: Chromium with the real UI, DOM and WebGL renderers: keystroke to glyph,
//      opening a session, a 20 MB stream (scripts/bench/browser.mjs; `--keys`, `--mb`);
//   7. scale: 1000 tmux sessions: list, health, creates, sidebar, monitoring CPU, SSE
//      fan-out, memory per session (scripts/bench/scale.mjs; `--sessions 200` for a quick run);
//   8. api: autocannon against api.sock vs a bare Express app (scripts/bench/api.mjs; `--seconds`);
//   9. start: `npm start` and `rdv up` until running (scripts/bench/start.mjs; `--runs`).
// Installs and builds first when needed (turbo skips what is up to date).
// `npm run bench -- <name>` runs one of them, e.g. `npm run bench -- scale --sessions 200`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, build, ensureInstalled, step, toolEnv } from './ensure.mjs';

const BENCHES = {
  terminal: [join(ROOT, 'services/terminal/bench/bench.mjs')],
  monitoring: [join(ROOT, 'scripts/bench-monitoring.mjs')],
  attention: [join(ROOT, 'scripts/bench-attention.mjs')],
  continuity: [join(ROOT, 'scripts/bench-continuity.mjs')],
  edge: [join(ROOT, 'scripts/bench/edge.mjs')],
  browser: [join(ROOT, 'scripts/bench/browser.mjs')],
  scale: [join(ROOT, 'scripts/bench/scale.mjs')],
  api: [join(ROOT, 'scripts/bench/api.mjs')],
  start: [join(ROOT, 'scripts/bench/start.mjs')],
};
const args = process.argv.slice(2);
const wanted = args.filter((a) => a in BENCHES);
const rest = args.filter((a) => !(a in BENCHES));
const selected = wanted.length ? wanted : Object.keys(BENCHES);

ensureInstalled();
build();
let failed = 0;
for (const name of selected) {
  step(`bench: ${name}`);
  const [script] = BENCHES[name];
  const r = spawnSync(process.execPath, [script, ...(name === 'terminal' ? [] : rest)], { cwd: ROOT, stdio: 'inherit', env: toolEnv() });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`bench ${name} failed (exit ${r.status ?? r.signal})\n`);
  }
}
process.exit(failed ? 1 : 0);
