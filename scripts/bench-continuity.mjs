#!/usr/bin/env node
// What keeping sessions' output costs, against baselines measured in the same run:
//   logging  terminal throughput through the service (a websocket client, as a browser) of a
//            session whose output is logged (tmux pipe-pane into its rotating writer) vs one
//            whose is not, in alternating rounds; goal: logging costs at most 5 %.
//   search   BENCH_LOG_MB (default 1024) MB of generated terminal logs in a temp dir across
//            many sessions, indexed, then searched: p50/p95 per kind of query (goal: p50 <=
//            50 ms over all), and the index's size against the text it covers (goal < 30 %).
// Run after `npm run build` (or through `npm run bench -- continuity`). BENCH_MB sets the
// throughput run (default 100 MB per side, in BENCH_ROUNDS rounds, default 10); BENCH_LOG_MB=0
// skips the search part.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureOwner } from '@rdv/core/auth';
import { openDb, schema } from '@rdv/core/db';
import { createSilentLogger } from '@rdv/core/log';
import { createOutputIndexer, createOutputLocator, createOutputSearch, outputDir, readOutput } from '@rdv/core/output';
import { attachWs, createBenchEnv, ENTRY, percentile, throughput, writeColouredFile } from '../services/terminal/bench/lib.mjs';

const MB = Number(process.env.BENCH_MB ?? 100);
const LOG_MB = Number(process.env.BENCH_LOG_MB ?? 1024);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const COLS = 200;
const ROWS = 50;
const GOALS = { loggingCost: 0.05, searchP50Ms: 50, indexRatio: 0.3 };
const out = (line = '') => process.stdout.write(`${line}\n`);
const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const verdict = (ok) => (ok ? 'PASS' : 'MISS');
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** CPU seconds (user + system, children included) of the log writers of `sessionId` and what they run. */
function writerCpuSeconds(sessionId) {
  const stat = (pid) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop().split(' ');
  const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  const writers = pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((a) => a.includes(sessionId)) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('rdv-output-log');
    } catch {
      return false; // Gone meanwhile.
    }
  });
  let ticks = 0;
  for (const pid of pids) {
    try {
      const f = stat(pid);
      // A writer's own time and its reaped children's, and the time of its child running now.
      if (writers.includes(pid)) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      else if (writers.includes(f[1])) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // Gone meanwhile.
    }
  }
  return ticks / 100;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Throughput of a logged and an unlogged session, rounds alternating which goes first. */
async function loggingCost() {
  const env = await createBenchEnv();
  const onSignal = () => void env.dispose().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  try {
    const file = join(env.home, 'coloured.txt');
    const bytes = writeColouredFile(file, MB / ROUNDS);
    await env.startService();
    const plain = await env.newSession('plain');
    const logged = await env.newSession('logged', { logged: true });
    const rounds = [];
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? ['plain', 'logged'] : ['logged', 'plain'];
      const round = {};
      for (const kind of order) round[kind] = (await throughput(env, kind === 'plain' ? plain : logged, attachWs, 1, file, bytes, COLS, ROWS))[0];
      rounds.push(round);
    }
    const logFile = join(env.config.paths.sessionsDir, logged.id, 'output.log');
    const kept = ['', '.1', '.2'].reduce((n, s) => n + (existsSync(logFile + s) ? statSync(logFile + s).size : 0), 0);
    const total = (kind) => (rounds.length * bytes) / 1048576 / rounds.reduce((a, r) => a + r[kind].seconds, 0);
    const cost = 1 - total('logged') / total('plain');
    // Each round's pair ran back to back: their ratio is less exposed to the machine's drifting load.
    const pairCost = 1 - median(rounds.map((r) => r.logged.rate / r.plain.rate));
    const writerCpu = writerCpuSeconds(logged.id);
    out(`logging: ${ROUNDS} rounds x ${fmt(bytes / 1048576, 0)} MB coloured UTF-8 through the service, 1 client, ${COLS}x${ROWS}`);
    out(`  not logged                    ${fmt(total('plain'), 1)} MB/s  (rounds: ${rounds.map((r) => fmt(r.plain.rate, 1)).join(', ')})`);
    out(`  logged                        ${fmt(total('logged'), 1)} MB/s  (rounds: ${rounds.map((r) => fmt(r.logged.rate, 1)).join(', ')})`);
    out(`  cost of logging               ${fmt(cost * 100, 1)} %   goal <= ${GOALS.loggingCost * 100} %  ${verdict(cost <= GOALS.loggingCost)}   (median of the rounds' pairs: ${fmt(pairCost * 100, 1)} %)`);
    out(`  the log writer's own CPU      ${fmt(writerCpu, 2)} s for ${fmt((ROUNDS * bytes) / 1048576, 0)} MB = ${fmt((writerCpu * 1000 * 1048576) / (ROUNDS * bytes), 1)} ms per MB`);
    out(`  (the log kept ${fmt(kept / 1048576, 1)} MB: rotated at ${fmt(env.config.sessions.log_max_bytes / 1048576, 0)} MB, three files at most)`);
  } finally {
    process.off('SIGINT', onSignal);
    await env.dispose();
  }
}

/** A deterministic stream of terminal lines: build output, stack traces, hashes, prose, colours. */
function lineMaker(seed) {
  let x = seed;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const syllables = ['ka', 're', 'mi', 'to', 'shu', 'lan', 'por', 'vex', 'dri', 'ne', 'qua', 'bo', 'sil', 'tem', 'zor', 'fa'];
  const vocabulary = Array.from({ length: 4000 }, (_, i) => syllables[i % 16] + syllables[Math.floor(i / 16) % 16] + syllables[Math.floor(i / 256) % 16]);
  const word = () => vocabulary[Math.floor(rnd() ** 2 * vocabulary.length)];
  let n = 0;
  return () => {
    n++;
    const r = rnd();
    if (r < 0.25) return `\x1b[32m[${new Date(1.7e12 + n * 997).toISOString()}]\x1b[0m INFO compiled src/${word()}/mod${Math.floor(rnd() * 300)}.ts in ${Math.floor(rnd() * 900)}ms\r\n`;
    if (r < 0.32) return `commit ${Math.floor(rnd() * 2 ** 48).toString(16)}${Math.floor(rnd() * 2 ** 48).toString(16)} ${word()} ${word()}\r\n`;
    if (r < 0.42) return `    at ${word()}.${word()} (/home/u/proj/src/${word()}.js:${Math.floor(rnd() * 400)}:${Math.floor(rnd() * 80)})\r\n`;
    if (r < 0.45) return `\x1b[31merror\x1b[0m TS${2300 + Math.floor(rnd() * 400)}: Property '${word()}' does not exist on type '${word()}'\r\n`;
    return `${Array.from({ length: 6 + Math.floor(rnd() * 12) }, word).join(' ')}\r\n`;
  };
}

/** Writes `mb` MB of logs over sessions of about 10 MB (log, .1, .2 as rotation leaves them), with a few needles. */
function writeLogs(sessionsDir, ids, mb) {
  const perSession = (mb * 1048576) / ids.length;
  let total = 0;
  ids.forEach((id, s) => {
    const dir = outputDir(sessionsDir, id);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const next = lineMaker(s + 1);
    for (const [part, share] of [['output.log.2', 0.34], ['output.log.1', 0.33], ['output.log', 0.33]]) {
      const fd = openSync(join(dir, part), 'w', 0o600);
      let size = 0;
      let buf = '';
      let lines = 0;
      while (size < perSession * share) {
        let line = next();
        if (++lines === 5000 && s % 10 === 3 && part === 'output.log.1') line = `panic: kraken overflow in worker ${s}\r\n`;
        buf += line;
        size += line.length;
        if (buf.length > 1 << 20) {
          writeSync(fd, buf);
          buf = '';
        }
      }
      writeSync(fd, buf);
      closeSync(fd);
      total += size;
    }
  });
  return total;
}

async function searchCost() {
  const dir = mkdtempSync(join(tmpdir(), 'rdvb-search-'));
  try {
    const handle = openDb({ path: join(dir, 'bench.db'), migrate: true });
    const log = createSilentLogger();
    const { owner } = ensureOwner(handle.db, { email: '', cliTokenPath: join(dir, 'cli-token'), log });
    const sessionsDir = join(dir, 'sessions');
    const count = Math.max(1, Math.round(LOG_MB / 10));
    const ids = Array.from({ length: count }, () => randomUUID());
    const at = new Date();
    for (const [i, id] of ids.entries()) {
      handle.db.insert(schema.sessions).values({ id, userId: owner.id, name: `s${i}`, tmuxName: `rdv-${id}`, kind: 'shell', cwd: dir, status: 'closed', createdAt: at, updatedAt: at }).run();
    }
    let t = Date.now();
    const raw = writeLogs(sessionsDir, ids, LOG_MB);
    const writeS = (Date.now() - t) / 1000;
    const locate = createOutputLocator({ db: handle.db, sessionsDir, home: dir });
    // Indexed flat out (the api's job pauses between batches, using at most half a core).
    const indexer = createOutputIndexer({ db: handle, locate, batchBytes: 4 << 20, settleMs: 0 });
    t = Date.now();
    for (const id of ids) while (indexer.indexBatch(id) > 0);
    const indexS = (Date.now() - t) / 1000;
    handle.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const indexBytes = handle.sqlite.prepare("SELECT sum(pgsize) AS n FROM dbstat WHERE name LIKE 'output_fts%' OR name LIKE 'output_chunks%'").get().n;
    const textBytes = ids.reduce((sum, id) => {
      let bytes = 0;
      for (let from = 0, more = true; more; ) {
        const page = readOutput(locate(id), { from, limitBytes: 16 << 20 });
        bytes += Buffer.byteLength(page.text);
        from = page.end;
        more = page.more;
      }
      return sum + bytes;
    }, 0);
    const search = createOutputSearch({ db: handle, locate });
    const queries = [
      ['rare phrase (every 10th session)', { q: '"kraken overflow"' }],
      ['rare word', { q: 'kraken' }],
      ['common word', { q: 'compiled' }],
      ['two common words', { q: 'error property' }],
      ['prefix', { q: 'kare*' }],
      ['nothing found', { q: 'zebrafish' }],
      ['common word, one session', { q: 'compiled', sessionId: ids[Math.floor(count / 2)] }],
      ['common word, last hour', { q: 'compiled', since: new Date(Date.now() - 3_600_000) }],
    ];
    const all = [];
    const rows = [];
    for (const [label, input] of queries) {
      for (let i = 0; i < 2; i++) search.search({ userId: owner.id, ...input });
      const times = [];
      let hits = 0;
      for (let i = 0; i < 15; i++) {
        const t0 = process.hrtime.bigint();
        hits = search.search({ userId: owner.id, ...input }).length;
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      times.sort((a, b) => a - b);
      all.push(...times);
      rows.push(`  ${label.padEnd(28)} p50 ${fmt(percentile(times, 50), 1).padStart(6)} ms  p95 ${fmt(percentile(times, 95), 1).padStart(6)} ms  (${hits} sessions)`);
    }
    all.sort((a, b) => a - b);
    search.dispose();
    handle.dispose();
    const ratio = indexBytes / textBytes;
    const p50 = percentile(all, 50);
    out(`search: ${fmt(raw / 1048576, 0)} MB of logs in ${count} sessions (written in ${fmt(writeS, 0)} s, indexed in ${fmt(indexS, 0)} s = ${fmt(raw / 1048576 / indexS, 1)} MB/s flat out)`);
    for (const row of rows) out(row);
    out(`  all queries                   p50 ${fmt(p50, 1)} ms   goal <= ${GOALS.searchP50Ms} ms  ${verdict(p50 <= GOALS.searchP50Ms)}   (p95 ${fmt(percentile(all, 95), 1)} ms)`);
    out(`  index ${fmt(indexBytes / 1048576, 1)} MB for ${fmt(textBytes / 1048576, 0)} MB of text: ${fmt(ratio * 100, 1)} %   goal < ${GOALS.indexRatio * 100} %  ${verdict(ratio < GOALS.indexRatio)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  if (!existsSync(ENTRY)) {
    process.stderr.write(`bench: ${ENTRY} is missing; build first (npm run build)\n`);
    process.exit(2);
  }
  const started = Date.now();
  out(`rdv continuity bench: ${MB} MB per side through the terminal, ${LOG_MB} MB of logs to search; load ${load()}`);
  out();
  if (MB > 0) await loggingCost();
  out();
  if (LOG_MB > 0) await searchCost();
  out();
  out(`load ${load()}; ${fmt((Date.now() - started) / 1000, 0)} s in all`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
