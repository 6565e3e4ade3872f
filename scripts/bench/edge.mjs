#!/usr/bin/env node
// Through the web edge: a websocket client over TCP to the edge (local mode, signed in with
// a login-link cookie) and on to terminal.sock, against the same client on terminal.sock
// directly, in the same run on the same tmux session:
//   throughput  `--mb` (default 100) MB of coloured UTF-8 per side, in alternating rounds;
//   echo        `--keys` (default 2000) keystroke round trips per side, alternating blocks.
// Goals: throughput >= 0.9x direct; echo p50 within +0.2 ms, p99 within 1.2x direct.
import WebSocket from 'ws';
import { echoTimes, throughput, writeColouredFile } from '../../services/terminal/bench/lib.mjs';
import { fmt, machine, numberArg, out, percentile, verdict, withStack } from './stack.mjs';
import { join } from 'node:path';

const MB = numberArg('mb', 'BENCH_MB', 100);
const KEYS = numberArg('keys', 'BENCH_KEYS', 2000);
const ROUNDS = 4;
const COLS = 200;
const ROWS = 50;
const GOALS = { throughputRatio: 0.9, p50DeltaMs: 0.2, p99Ratio: 1.2 };

/** A websocket terminal as lib.mjs's attach functions return it. */
function wsTerminal(url, headers) {
  const ws = new WebSocket(url, { headers, perMessageDeflate: false });
  const listeners = new Set();
  ws.on('message', (data, isBinary) => {
    if (isBinary) for (const l of listeners) l(data);
  });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        write: (text) => ws.send(JSON.stringify({ type: 'input', data: text })),
        onData: (l) => (listeners.add(l), () => listeners.delete(l)),
        close: () => ws.close(),
      }),
    );
  });
}


await withStack({ prefix: 'rdvbe-' }, async (stack) => {
  out(`edge bench: ${MB} MB and ${KEYS} keystrokes per side, ${COLS}x${ROWS}; ${machine()}`);
  await stack.start('api');
  await stack.start('terminal');
  await stack.start('web');
  const cookie = await stack.cookie();
  const direct = (_e, s, cols, rows) =>
    wsTerminal(`ws+unix://${stack.sockets.terminal}:/ws/terminal/${s.id}?cols=${cols}&rows=${rows}`, { authorization: `Bearer ${stack.token()}` });
  const edge = (_e, s, cols, rows) =>
    wsTerminal(`ws://127.0.0.1:${stack.port}/ws/terminal/${s.id}?cols=${cols}&rows=${rows}`, { cookie, origin: stack.url });
  const session = await stack.shell('stream');
  const echoSession = await stack.shell('echo');

  const d = [];
  const e = [];
  const blocks = Math.max(1, Math.round(KEYS / 100));
  for (let b = 0; b < blocks; b++) {
    const order = b % 2 === 0 ? [[direct, d], [edge, e]] : [[edge, e], [direct, d]];
    for (const [attach, into] of order) into.push(...(await echoTimes(await attach(null, echoSession, COLS, ROWS), KEYS / blocks, 10)));
  }

  const file = join(stack.home, 'coloured.txt');
  const bytes = writeColouredFile(file, MB / ROUNDS);
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const round = {};
    for (const kind of r % 2 === 0 ? ['direct', 'edge'] : ['edge', 'direct']) {
      round[kind] = (await throughput(null, session, kind === 'direct' ? direct : edge, 1, file, bytes, COLS, ROWS))[0];
    }
    rounds.push(round);
  }
  const total = (k) => (ROUNDS * bytes) / 1048576 / rounds.reduce((a, r) => a + r[k].seconds, 0);
  const ratio = total('edge') / total('direct');
  const p50Delta = percentile(e, 50) - percentile(d, 50);
  const p99Ratio = percentile(e, 99) / percentile(d, 99);
  out();
  out(`throughput, ${ROUNDS} rounds x ${fmt(bytes / 1048576, 0)} MB (MB/s of source text until its last line arrives)`);
  out(`  terminal.sock directly     ${fmt(total('direct'), 1)}  (rounds: ${rounds.map((r) => fmt(r.direct.rate, 1)).join(', ')})`);
  out(`  through the edge (TCP)     ${fmt(total('edge'), 1)}  (rounds: ${rounds.map((r) => fmt(r.edge.rate, 1)).join(', ')})`);
  out(`  ratio edge / direct        ${fmt(ratio)}   goal >= ${GOALS.throughputRatio}  ${verdict(ratio >= GOALS.throughputRatio)}`);
  out();
  out(`keystroke echo, ms over ${e.length} keystrokes per side`);
  out(`  terminal.sock directly     p50 ${fmt(percentile(d, 50), 3)}  p99 ${fmt(percentile(d, 99), 3)}`);
  out(`  through the edge (TCP)     p50 ${fmt(percentile(e, 50), 3)}  p99 ${fmt(percentile(e, 99), 3)}`);
  out(`  p50 edge - direct          ${fmt(p50Delta, 3)}   goal <= ${GOALS.p50DeltaMs}  ${verdict(p50Delta <= GOALS.p50DeltaMs)}`);
  out(`  p99 edge / direct          ${fmt(p99Ratio)}   goal <= ${GOALS.p99Ratio}  ${verdict(p99Ratio <= GOALS.p99Ratio)}`);
  out(`  (${machine()})`);
});
