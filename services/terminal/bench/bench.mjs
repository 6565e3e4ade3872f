#!/usr/bin/env node
// `npm run bench`: the terminal service against baselines measured in the same run.
//   throughput  100 MB of coloured UTF-8 through the service to one client, as a ratio to
//               node-pty attached to the same tmux session in this process (4 rounds);
//   fan-out     the slowest of 10 clients attached at once vs 1 client (same rounds);
//   echo        keystroke round trips (p50, p99 over 2000) through the service vs
//               in-process node-pty, in alternating blocks; also through a bare relay
//               process (relay.mjs), the floor for any process between client and tmux.
// Needs the built service (services/terminal/dist/main.js). BENCH_MB and BENCH_KEYS shrink
// the run; BENCH_SERVICE_LOG=1 passes the service's log through.
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { attachCorePty, attachInProcess, attachWs, createBenchEnv, echoTimes, ENTRY, percentile, startRelay, throughput as throughputAt, writeColouredFile } from './lib.mjs';

const MB = Number(process.env.BENCH_MB ?? 100);
const ROUNDS = 4;
const KEYSTROKES = Number(process.env.BENCH_KEYS ?? 2000);
const COLS = 200;
const ROWS = 50;
const GOALS = { throughputRatio: 0.9, echoP50DeltaMs: 0.3, echoP99Ms: 3, fanoutRatio: 0.8 };

const throughput = (env, session, attach, clients, file, bytes) => throughputAt(env, session, attach, clients, file, bytes, COLS, ROWS);

/** CPU ticks of all cores from /proc/stat: total and stolen by the hypervisor (null off Linux). */
function cpuTicks() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
  } catch {
    return null;
  }
}
const stealPercent = (a, b) => (a && b && b.total > a.total ? (100 * (b.steal - a.steal)) / (b.total - a.total) : NaN);


const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const verdict = (ok) => (ok ? 'PASS' : 'MISS');
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main() {
  if (!existsSync(ENTRY)) {
    process.stderr.write(`bench: ${ENTRY} is missing; build first: npx tsc -p services/terminal/tsconfig.json\n`);
    process.exit(2);
  }
  const started = Date.now();
  const env = await createBenchEnv();
  // Interrupted: still stop the service and the tmux server this run started.
  const onSignal = () => void env.dispose().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const out = (line = '') => process.stdout.write(`${line}\n`);
  try {
    out(`rdv terminal bench: ${MB} MB per side, ${KEYSTROKES} keystrokes, ${COLS}x${ROWS}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const file = join(env.home, 'coloured.txt');
    const bytes = writeColouredFile(file, MB / ROUNDS);
    await env.startService();
    const session = await env.newSession('bench');
    const echoSession = await env.newSession('echo');

    // Echo first (short): plain node-pty, the service, node-pty through @rdv/core/pty and
    // the bare relay take turns in blocks of 100 keystrokes, one terminal attached at a
    // time, the order reversed every other block, so drifting load hits all alike.
    const relay = await startRelay(env, echoSession);
    const ticksBefore = cpuTicks();
    const local = [];
    const remote = [];
    const core = [];
    const bare = [];
    const series = new Map([[attachInProcess, local], [attachWs, remote], [attachCorePty, core], [relay.attach, bare]]);
    const blocks = Math.max(1, Math.round(KEYSTROKES / 100));
    for (let b = 0; b < blocks; b++) {
      const order = b % 2 === 0 ? [...series.keys()] : [...series.keys()].reverse();
      for (const attach of order) series.get(attach).push(...(await echoTimes(await attach(env, echoSession, COLS, ROWS), KEYSTROKES / blocks)));
    }
    const echoSteal = stealPercent(ticksBefore, cpuTicks());
    core.sort((a, b) => a - b);
    bare.sort((a, b) => a - b);
    local.sort((a, b) => a - b);
    remote.sort((a, b) => a - b);

    // Throughput in rounds of MB/ROUNDS each: baseline, 1 client and 10 clients, the order
    // reversed every other round, so load drifting on the shared machine hits all alike.
    const rounds = [];
    for (let r = 0; r < ROUNDS; r++) {
      const kinds = r % 2 === 0 ? ['base', 'one', 'ten'] : ['ten', 'one', 'base'];
      const round = {};
      for (const kind of kinds) {
        if (kind === 'base') round.base = (await throughput(env, session, attachInProcess, 1, file, bytes))[0];
        if (kind === 'one') round.one = (await throughput(env, session, attachWs, 1, file, bytes))[0];
        if (kind === 'ten') round.ten = await throughput(env, session, attachWs, 10, file, bytes);
      }
      rounds.push(round);
    }
    const health = await env.health();

    // Totals (all rounds' bytes over all rounds' seconds) are the figures; per-round ratios show the spread.
    const slowest = (ten) => ten.reduce((a, t) => (t.seconds > a.seconds ? t : a));
    const total = (pick) => (rounds.length * bytes) / 1048576 / rounds.reduce((a, r) => a + pick(r).seconds, 0);
    const baseRate = total((r) => r.base);
    const oneRate = total((r) => r.one);
    const tenRate = total((r) => slowest(r.ten));
    const tenMean = mean(rounds.flatMap((r) => r.ten.map((t) => t.rate)));
    const oneRatio = oneRate / baseRate;
    const tenRatio = tenRate / oneRate;
    const p50Delta = percentile(remote, 50) - percentile(local, 50);
    const list = (xs, digits = 1) => xs.map((x) => fmt(x, digits)).join(', ');
    out();
    out(`throughput, ${ROUNDS} rounds x ${fmt(bytes / 1048576, 0)} MB coloured UTF-8 = ${fmt((ROUNDS * bytes) / 1048576, 0)} MB per side`);
    out('  MB/s of source text until its last line is on the client ("got": MB/s the client received;');
    out('  tmux sends less when it skips to a redraw for a client that is behind)');
    out(`  in-process node-pty on tmux   ${fmt(baseRate, 1)}  got ${fmt(mean(rounds.map((r) => r.base.got)), 1)}  (rounds: ${list(rounds.map((r) => r.base.rate))})`);
    out(`  service, 1 client             ${fmt(oneRate, 1)}  got ${fmt(mean(rounds.map((r) => r.one.got)), 1)}  (rounds: ${list(rounds.map((r) => r.one.rate))})`);
    out(`  ratio service / in-process    ${fmt(oneRatio)}   goal >= ${GOALS.throughputRatio}  ${verdict(oneRatio >= GOALS.throughputRatio)}   (per round: ${list(rounds.map((r) => r.one.rate / r.base.rate), 2)})`);
    out();
    out('fan-out, MB/s per client');
    out(`  10 clients, slowest           ${fmt(tenRate, 1)}  (mean of all ${fmt(tenMean, 1)}; rounds: ${list(rounds.map((r) => slowest(r.ten).rate))})`);
    out(`  ratio slowest of 10 / 1       ${fmt(tenRatio)}   goal >= ${GOALS.fanoutRatio}  ${verdict(tenRatio >= GOALS.fanoutRatio)}   (per round: ${list(rounds.map((r) => slowest(r.ten).rate / r.one.rate), 2)})`);
    out();
    out(`keystroke echo, ms over ${remote.length} keystrokes (cpu time stolen by the hypervisor meanwhile: ${fmt(echoSteal, 1)} %)`);
    out(`  in-process node-pty on tmux   p50 ${fmt(percentile(local, 50), 3)}  p99 ${fmt(percentile(local, 99), 3)}  max ${fmt(local.at(-1), 3)}`);
    out(`  (in-process, @rdv/core/pty    p50 ${fmt(percentile(core, 50), 3)}  p99 ${fmt(percentile(core, 99), 3)}  max ${fmt(core.at(-1), 3)}: the service's direct pty writes)`);
    out(`  (bare relay process           p50 ${fmt(percentile(bare, 50), 3)}  p99 ${fmt(percentile(bare, 99), 3)}  max ${fmt(bare.at(-1), 3)}: the floor for a process in between)`);
    out(`  service                       p50 ${fmt(percentile(remote, 50), 3)}  p99 ${fmt(percentile(remote, 99), 3)}  max ${fmt(remote.at(-1), 3)}`);
    out(`  p50 service - in-process      ${fmt(p50Delta, 3)}   goal <= ${GOALS.echoP50DeltaMs}  ${verdict(p50Delta <= GOALS.echoP50DeltaMs)}`);
    out(`  p99 service                   ${fmt(percentile(remote, 99), 3)}   goal <= ${GOALS.echoP99Ms}  ${verdict(percentile(remote, 99) <= GOALS.echoP99Ms)}`);
    out(`  service - bare relay          p50 ${fmt(percentile(remote, 50) - percentile(bare, 50), 3)}  p99 ${fmt(percentile(remote, 99) - percentile(bare, 99), 3)}   (what the service's own work adds)`);
    out();
    out(`service rss after the runs ${fmt(health.metrics.rssBytes / 1048576, 0)} MB; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${fmt((Date.now() - started) / 1000, 0)} s in all`);
  } finally {
    await env.dispose();
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
