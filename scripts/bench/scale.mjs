#!/usr/bin/env node
// rdv at scale: `--sessions N` (default 1000) real tmux sessions (/bin/sh, output logged)
// created through the built api on a private tmux socket, then:
//   - GET /api/sessions and /health p50, against GET /api/auth/me (the same auth, a tiny body);
//   - a burst of `--burst` (100) creates in a row, p50 per create;
//   - the sidebar's first render in Chromium with N sessions, against one session;
//   - the api's CPU (/proc) over `--seconds` (10) with N idle and `--busy` (50) busy sessions,
//     against the api with no session;
//   - one event fanned out to `--clients` (50) SSE clients, against one client;
//   - memory per idle session: tmux server (+ each session's shell and log writer) and rdv.
// Rate limits are raised for the run: they would otherwise refuse a thousand creates a minute.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { hasChromium, launchChromium, signedInPage } from './chromium.mjs';
import { cpuTicks, fmt, httpRequest, log, machine, now, numberArg, out, percentile, rssBytes, sleep, verdict, withStack } from './stack.mjs';

const N = numberArg('sessions', 'BENCH_SESSIONS', 1000);
const BURST = Math.min(N, numberArg('burst', 'BENCH_BURST', 100));
const BUSY = Math.min(N, numberArg('busy', 'BENCH_BUSY', 50));
const CLIENTS = numberArg('clients', 'BENCH_SSE_CLIENTS', 50);
const WINDOW_MS = numberArg('seconds', 'BENCH_SECONDS', 10) * 1000;
const GOALS = { listP50Ms: 5, healthP50Ms: 2, createP50Ms: 50, sidebarMs: 100, monitorPct: 5, sseP99Ms: 50 };
const BUSY_LOOP = 'i=0; while :; do i=$((i+1)); echo "working on step $i: compiling module $((i % 97))"; sleep 0.05; done';

async function timed(count, fn) {
  const xs = [];
  for (let i = 0; i < count; i++) {
    const t = now();
    await fn();
    xs.push(now() - t);
  }
  return xs;
}

/** The pids of a process and all its descendants (from /proc/<pid>/stat). */
function processTree(root) {
  const parents = new Map();
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number)) {
    const stat = safe(() => readFileSync(`/proc/${pid}/stat`, 'utf8'));
    if (stat) parents.set(pid, Number(stat.split(') ').pop().split(' ')[1]));
  }
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (tree.has(ppid) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree];
}
const treeRss = (pid) => processTree(pid).reduce((a, p) => a + (safe(() => rssBytes(p)) ?? 0), 0);
const safe = (fn) => {
  try {
    return fn();
  } catch {
    return null;
  }
};

/** CPU of `pid` over a window, % of one core. */
async function cpuPercent(pid, ms) {
  const t0 = now();
  const c0 = cpuTicks(pid);
  await sleep(ms);
  return ((cpuTicks(pid) - c0) * 10 * 100) / (now() - t0);
}

/** Creates `count` sessions through the api, `parallel` at a time; returns each create's ms. */
async function createMany(stack, count, parallel, prefix) {
  const times = [];
  let next = 0;
  const ids = [];
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const t = now();
      ids.push((await stack.api('POST', '/api/sessions', { name: `${prefix}-${i}`, kind: 'shell' })).id);
      times.push(now() - t);
      if (i % 100 === 99) log(`  ${prefix}: ${i + 1} of ${count}`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return { times, ids };
}

/** The sidebar's first render in a fresh page: the session list's response until the tree shows rows and paints. */
async function sidebarRender(browser, stack, expected) {
  const { context, page } = await signedInPage(browser, stack);
  await page.addInitScript((want) => {
    const seen = () => document.querySelectorAll('[role=tree] .row.session').length >= want;
    new MutationObserver((_, observer) => {
      if (!seen()) return;
      observer.disconnect();
      requestAnimationFrame(() => setTimeout(() => (window.__rdvSidebarAt = performance.now())));
    }).observe(document, { childList: true, subtree: true });
  }, Math.min(expected, 5));
  const samples = [];
  for (let i = 0; i < 5; i++) {
    await page.reload();
    await page.waitForFunction(() => window.__rdvSidebarAt !== undefined, null, { timeout: 60_000 });
    samples.push(
      await page.evaluate(() => {
        const lists = performance.getEntriesByType('resource').filter((e) => /\/api\/(sessions|folders)(\?|$)/.test(e.name));
        return window.__rdvSidebarAt - Math.max(...lists.map((e) => e.responseEnd));
      }),
    );
  }
  await context.close();
  return samples;
}

/** Opens `count` SSE streams on api.sock; `arrivals(match)` resolves with each stream's arrival time of a matching event. */
async function openStreams(stack, count) {
  const streams = [];
  for (let i = 0; i < count; i++) {
    const s = { buf: '', waiters: [] };
    s.req = request({ socketPath: stack.sockets.api, path: '/api/events', headers: { authorization: `Bearer ${stack.token()}` } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (c) => {
        const at = now();
        s.buf += c;
        for (const w of [...s.waiters]) if (s.buf.includes(w.needle)) (s.waiters.splice(s.waiters.indexOf(w), 1), w.resolve(at));
        if (s.buf.length > 1 << 16) s.buf = s.buf.slice(-4096);
      });
    });
    s.req.on('error', () => {});
    s.req.end();
    streams.push(s);
  }
  await sleep(500);
  return {
    arrivals: (needle) => streams.map((s) => new Promise((resolve) => s.waiters.push({ needle, resolve }))),
    close: () => streams.forEach((s) => s.req.destroy()),
  };
}

async function fanOut(stack, sessionId, clients, events) {
  const streams = await openStreams(stack, clients);
  const lat = [];
  for (let i = 0; i < events; i++) {
    const name = `fan-${clients}-${i}-${Date.now()}`;
    const arrived = streams.arrivals(name);
    const t = now();
    await stack.api('PATCH', `/api/sessions/${sessionId}`, { name });
    for (const at of await Promise.all(arrived)) lat.push(at - t);
  }
  streams.close();
  return lat;
}

await withStack(
  { prefix: 'rdvbs-', env: { RDV_RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000', RDV_RATE_LIMIT_SENSITIVE_PER_MINUTE: '1000000', RDV_RATE_LIMIT_EVENT_STREAMS_PER_USER: '1000' } },
  async (stack) => {
    out(`scale bench: ${N} sessions, burst ${BURST}, ${BUSY} busy, ${CLIENTS} SSE clients, ${WINDOW_MS / 1000} s windows; ${machine()}`);
    await stack.start('api');
    await stack.start('terminal');
    const web = hasChromium();
    if (web) await stack.start('web');
    const apiPid = stack.pid('api');
    const tmuxExec = (args) => promisify(execFile)('tmux', ['-L', stack.tmuxSocket, ...args]).then((r) => r.stdout);
    const get = (path) => httpRequest({ socketPath: stack.sockets.api, path, headers: { authorization: `Bearer ${stack.token()}` } });

    log('api CPU with no session…');
    const idleApiPct = await cpuPercent(apiPid, WINDOW_MS);
    const first = await stack.shell('first');
    const tmuxPid = Number((await tmuxExec(['display-message', '-p', '#{pid}'])).trim());
    const mem0 = { tmux: treeRss(tmuxPid), api: rssBytes(apiPid), terminal: rssBytes(stack.pid('terminal')) };
    const browser = web ? await launchChromium() : null;
    const sidebarOne = browser ? await sidebarRender(browser, stack, 1) : [];
    const sseOne = await fanOut(stack, first.id, 1, 20);

    log(`creating ${N - 1 - BURST} sessions…`);
    const t0 = now();
    const fill = await createMany(stack, N - 1 - BURST, 4, 'idle');
    const fillSeconds = (now() - t0) / 1000;
    log(`burst of ${BURST} creates…`);
    const burst = await createMany(stack, BURST, 1, 'burst');
    // The floor of any create: one spawned tmux client making a bare session, at the same count.
    let raw = 0;
    const rawCreate = await timed(20, () => tmuxExec(['new-session', '-d', '-s', `raw-${raw++}`, 'sleep', '100000']));
    for (let i = 0; i < raw; i++) await tmuxExec(['kill-session', '-t', `=raw-${i}`]);
    await sleep(3000); // let the last shells start and settle
    const mem1 = { tmux: treeRss(tmuxPid), api: rssBytes(apiPid), terminal: rssBytes(stack.pid('terminal')) };

    const me = await timed(200, () => get('/api/auth/me'));
    const listed = await get('/api/sessions');
    const list = await timed(200, () => get('/api/sessions'));
    const health = await timed(200, () => get('/health'));
    const sidebarN = browser ? await sidebarRender(browser, stack, N) : [];
    await browser?.close();

    log('api CPU with the sessions idle…');
    const idleNPct = await cpuPercent(apiPid, WINDOW_MS);
    const busyIds = [...fill.ids, ...burst.ids].slice(0, BUSY);
    for (const id of busyIds) await stack.api('POST', `/api/sessions/${id}/exec`, { command: BUSY_LOOP });
    await sleep(3000);
    log(`api CPU with ${BUSY} busy…`);
    const busyPct = await cpuPercent(apiPid, WINDOW_MS);
    for (const id of busyIds) await tmuxExec(['send-keys', '-t', `=rdv-${id}:`, 'C-c']);

    const sseMany = await fanOut(stack, first.id, CLIENTS, 20);

    const perSession = (k) => (mem1[k] - mem0[k]) / (N - 1) / 1024;
    const p50 = (xs) => percentile(xs, 50);
    out();
    out(`sessions: ${listed.body.items.length} listed (${fmt(Buffer.byteLength(listed.text) / 1024, 0)} KB of JSON); the first ${fill.times.length} made 4 at a time in ${fmt(fillSeconds, 0)} s`);
    out(`  GET /api/auth/me (baseline)     p50 ${fmt(p50(me), 2)} ms  p99 ${fmt(percentile(me, 99), 2)}`);
    out(`  GET /api/sessions               p50 ${fmt(p50(list), 2)} ms  p99 ${fmt(percentile(list, 99), 2)}  (${fmt(p50(list) / p50(me), 1)}x baseline)  goal <= ${GOALS.listP50Ms}  ${verdict(p50(list) <= GOALS.listP50Ms)}`);
    out(`  GET /health                     p50 ${fmt(p50(health), 2)} ms  p99 ${fmt(percentile(health, 99), 2)}  (${fmt(p50(health) / p50(me), 1)}x baseline)  goal <= ${GOALS.healthP50Ms}  ${verdict(p50(health) <= GOALS.healthP50Ms)}`);
    out(`  burst of ${BURST} creates in a row  p50 ${fmt(p50(burst.times), 1)} ms  p99 ${fmt(percentile(burst.times, 99), 1)}  (bare tmux new-session p50 ${fmt(p50(rawCreate), 1)}; the fill, 4 at a time: p50 ${fmt(p50(fill.times), 1)})  goal <= ${GOALS.createP50Ms}  ${verdict(p50(burst.times) <= GOALS.createP50Ms)}`);
    if (browser) {
      out(`  sidebar first render, 1 session   p50 ${fmt(p50(sidebarOne), 1)} ms (baseline)`);
      out(`  sidebar first render, ${N}        p50 ${fmt(p50(sidebarN), 1)} ms  (${fmt(p50(sidebarN) / p50(sidebarOne), 1)}x)  goal <= ${GOALS.sidebarMs}  ${verdict(p50(sidebarN) <= GOALS.sidebarMs)}`);
    } else out(`  sidebar: skipped (no Chromium at ${process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium'})`);
    out(`  api CPU, no session (baseline)  ${fmt(idleApiPct, 2)} % of a core`);
    out(`  api CPU, ${N} idle               ${fmt(idleNPct, 2)} %`);
    out(`  api CPU, ${N - BUSY} idle + ${BUSY} busy      ${fmt(busyPct, 2)} %   goal < ${GOALS.monitorPct}  ${verdict(busyPct < GOALS.monitorPct)}`);
    out(`  SSE, 1 client (baseline)        p50 ${fmt(p50(sseOne), 1)} ms  p99 ${fmt(percentile(sseOne, 99), 1)}`);
    out(`  SSE, ${CLIENTS} clients               p50 ${fmt(p50(sseMany), 1)} ms  p99 ${fmt(percentile(sseMany, 99), 1)}  (${fmt(percentile(sseMany, 99) / percentile(sseOne, 99), 1)}x)  goal <= ${GOALS.sseP99Ms}  ${verdict(percentile(sseMany, 99) <= GOALS.sseP99Ms)}`);
    out(`  memory per idle session: tmux server + shell + log writer ${fmt(perSession('tmux'), 0)} KB, api ${fmt(perSession('api'), 1)} KB, terminal ${fmt(perSession('terminal'), 1)} KB`);
    out(`  (${machine()})`);
  },
);
