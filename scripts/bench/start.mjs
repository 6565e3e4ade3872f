#!/usr/bin/env node
// Start-up on this installed, built tree, in a temp RDV_HOME on a private tmux socket:
//   - `npm start` until it prints "rdv is running", first on a new home (database created)
//     and then `--runs` (3) more times on the same home; each step's share from its "==>" lines;
//   - `rdv up` (detached supervisor) until it returns healthy, then `rdv down`;
//   - baseline: `rdv up --foreground` alone (the services, no checks before them).
// Goal: `npm start` <= 5 s.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, fmt, freePort, log, machine, now, numberArg, out, percentile, verdict } from './stack.mjs';

const RUNS = numberArg('runs', 'BENCH_RUNS', 3);
const GOAL_S = 5;
const CLI = join(ROOT, 'packages/cli/dist/main.js');

const home = realpathSync(mkdtempSync(join(tmpdir(), 'rdvbst-')));
const tmuxSocket = `bench-start-${process.pid}`;
const env = {
  ...process.env,
  HOME: home,
  RDV_HOME: home,
  RDV_TMUX_SOCKET: tmuxSocket,
  RDV_TMUX_CONFIG_FILE: '/dev/null',
  RDV_SHELL: '/bin/sh',
  RDV_LOG_LEVEL: 'warn',
  RDV_WEB_LISTEN: `127.0.0.1:${await freePort()}`,
  NEXT_TELEMETRY_DISABLED: '1',
  TURBO_TELEMETRY_DISABLED: '1',
};
delete env.TMUX;

/** Runs `argv` until its output shows `ready`; the time, each "==>" step's start, then stops it (SIGINT to its group). */
function untilReady(argv, ready) {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const steps = [];
    let text = '';
    let done = false;
    const onData = (c) => {
      const at = now() - t0;
      for (const line of String(c).split('\n')) {
        const step = /==>\S*\s+(.*)$/.exec(line.replace(/\x1b\[[0-9;]*m/g, ''));
        if (step) steps.push({ at, what: step[1].slice(0, 40) });
      }
      text += c;
      if (!done && text.includes(ready)) {
        done = true;
        const ms = now() - t0;
        child.once('exit', () => resolve({ ms, steps }));
        process.kill(-child.pid, 'SIGINT');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => !done && reject(new Error(`${argv.join(' ')} exited ${code} before "${ready}":\n${text.slice(-2000)}`)));
  });
}

function timedCli(args) {
  const t0 = now();
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`rdv ${args.join(' ')} failed: ${r.stderr}`);
  return now() - t0;
}

const stepLine = (steps, total) =>
  steps.map((s, i) => `${s.what} ${fmt(((steps[i + 1]?.at ?? total) - s.at) / 1000, 2)} s`).join(' · ');

try {
  out(`start bench: ${RUNS} runs on a built tree; ${machine()}`);
  const first = await untilReady(['npm', 'start'], 'rdv is running');
  log(`npm start, new home: ${fmt(first.ms / 1000, 2)} s`);
  const again = [];
  const foreground = [];
  const up = [];
  for (let i = 0; i < RUNS; i++) {
    again.push(await untilReady(['npm', 'start'], 'rdv is running'));
    foreground.push((await untilReady([process.execPath, CLI, 'up', '--foreground'], 'rdv is running')).ms);
    up.push(timedCli(['up']));
    timedCli(['down']);
  }
  const p50 = (xs) => percentile(xs, 50);
  const againMs = again.map((r) => r.ms);
  const median = again.find((r) => r.ms === p50(againMs));
  out();
  out(`  rdv up --foreground (baseline)       p50 ${fmt(p50(foreground) / 1000, 2)} s  (the services alone)`);
  out(`  npm start, new home                  ${fmt(first.ms / 1000, 2)} s`);
  out(`  npm start, again                     p50 ${fmt(p50(againMs) / 1000, 2)} s  (${fmt(p50(againMs) / p50(foreground), 2)}x baseline)  goal <= ${GOAL_S} s  ${verdict(p50(againMs) <= GOAL_S * 1000)}`);
  out(`    steps: ${stepLine(median.steps, median.ms)}`);
  out(`  rdv up (detached) until healthy      p50 ${fmt(p50(up) / 1000, 2)} s`);
  out(`  (${machine()})`);
} catch (err) {
  process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
} finally {
  spawnSync(process.execPath, [CLI, 'down'], { cwd: ROOT, env, stdio: 'ignore' });
  spawnSync('tmux', ['-L', tmuxSocket, 'kill-server'], { stdio: 'ignore' });
  rmSync(home, { recursive: true, force: true });
}
