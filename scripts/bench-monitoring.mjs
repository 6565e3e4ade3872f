#!/usr/bin/env node
// The CPU cost of watching many agent sessions, by method: 200 idle tmux sessions and 20
// busy ones (each printing a line every 50 ms), on a private tmux socket that is killed
// afterwards. Counted: this process (process.cpuUsage), the tmux clients it spawns
// (/proc/self/stat cutime+cstime) and the tmux server's extra CPU over a baseline window
// with no monitoring (/proc/<server>/stat). Run after `npm run build`:
//   node scripts/bench-monitoring.mjs [--idle 200] [--busy 20] [--seconds 10] [--only 1,4] [--json]
import { execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { ensureOwner } from '@rdv/core/auth';
import { openDb, schema } from '@rdv/core/db';
import { createEventBus } from '@rdv/core/events';
import { createFolderService } from '@rdv/core/folder';
import { createSilentLogger } from '@rdv/core/log';
import { createOrchestratorService } from '@rdv/core/orchestrator';
import { createSessionService } from '@rdv/core/session';
import { createTmux, openControlClient, paneFormat, sanitizedEnv } from '@rdv/core/tmux';

const { values: opts } = parseArgs({
  options: {
    idle: { type: 'string', default: '200' },
    busy: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
    only: { type: 'string', default: '' },
  },
});
const IDLE = Number(opts.idle);
const BUSY = Number(opts.busy);
const WINDOW_MS = Number(opts.seconds) * 1000;
const TICK_MS = 1000;
const HZ = 100;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => process.stderr.write(`${a.join(' ')}\n`);

const socket = `rdv-bench-${randomBytes(4).toString('hex')}`;
const env = sanitizedEnv();
const dir = mkdtempSync(join(tmpdir(), 'rdv-bench-'));
const tmux = createTmux({ socket, configFile: '/dev/null', historyLimit: 2000 });
const execTmux = (args) => promisify(execFile)('tmux', tmux.argv(args), { env, maxBuffer: 64 << 20 }).then((r) => r.stdout);

const statTicks = (path) => {
  const rest = readFileSync(path, 'utf8').split(') ').pop().split(' ');
  return { own: Number(rest[11]) + Number(rest[12]), children: Number(rest[13]) + Number(rest[14]) };
};

const IDLE_CMD = ['sleep', '100000'];
const BUSY_CMD = ['perl', '-e', '$|=1; my $i=0; while(1){ print "working on step $i: compiling module ", $i % 97, "\\n"; $i++; select(undef,undef,undef,0.05) }'];

async function createSessions(db, userId) {
  const sessions = [];
  for (let i = 0; i < IDLE + BUSY; i++) {
    const id = randomUUID();
    sessions.push({ id, name: `rdv-${id}`, busy: i >= IDLE });
  }
  for (let i = 0; i < sessions.length; i += 20) {
    const args = ['start-server', ';', 'set-option', '-g', 'status', 'off'];
    for (const s of sessions.slice(i, i + 20)) {
      args.push(';', 'new-session', '-d', '-s', s.name, '-x', '120', '-y', '32', ...(s.busy ? BUSY_CMD : IDLE_CMD));
    }
    await execTmux(args);
  }
  const at = new Date();
  for (const s of sessions) {
    db.insert(schema.sessions)
      .values({ id: s.id, userId, name: s.name.slice(0, 40), tmuxName: s.name, kind: 'agent', agent: 'custom', command: 'bench', cwd: dir, status: 'active', createdAt: at, updatedAt: at, lastActivityAt: at })
      .run();
  }
  return sessions;
}

/** Runs `start` … `stop` over one window and returns the CPU it cost, in ms and % of one core. */
async function measure(name, serverPid, baselinePerMs, start, stop, warmupMs = 0) {
  const handle = await start();
  if (warmupMs) await sleep(warmupMs);
  const cpu0 = process.cpuUsage();
  const self0 = statTicks('/proc/self/stat');
  const srv0 = statTicks(`/proc/${serverPid}/stat`);
  const t0 = performance.now();
  await sleep(WINDOW_MS);
  const cpu = process.cpuUsage(cpu0);
  const self1 = statTicks('/proc/self/stat');
  const srv1 = statTicks(`/proc/${serverPid}/stat`);
  const elapsed = performance.now() - t0;
  const extra = handle && typeof handle === 'object' ? handle.extra?.() : undefined;
  await stop(handle);
  const nodeMs = (cpu.user + cpu.system) / 1000;
  const childMs = ((self1.children - self0.children) * 1000) / HZ;
  const serverMs = ((srv1.own - srv0.own) * 1000) / HZ - baselinePerMs * elapsed;
  const pct = (ms) => Math.round((ms / elapsed) * 1000) / 10;
  const total = nodeMs + childMs + Math.max(0, serverMs);
  const row = { method: name, nodePct: pct(nodeMs), spawnedPct: pct(childMs), tmuxServerPct: pct(serverMs), totalPct: pct(total), ...(extra ?? {}) };
  log(`  ${name}: ${row.totalPct}% of a core`);
  return row;
}

async function pollSpawned(sessions) {
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const t = performance.now();
      for (const s of sessions) await execTmux(['capture-pane', '-p', '-J', '-t', `=${s.name}:`]).catch(() => '');
      await sleep(Math.max(0, TICK_MS - (performance.now() - t)));
    }
  })();
  return { stop: async () => ((stop = true), await loop) };
}

async function pollControl(sessions) {
  const client = await openControlClient({ tmux, session: sessions[0].name, log: createSilentLogger() });
  const panes = (await client.run(['list-panes', '-a', '-F', '#{pane_id}'])).filter(Boolean);
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const t = performance.now();
      for (const p of panes) await client.run(['capture-pane', '-p', '-J', '-t', p]);
      await sleep(Math.max(0, TICK_MS - (performance.now() - t)));
    }
  })();
  return { stop: async () => ((stop = true), await loop, client.dispose()) };
}

async function outputStream(sessions) {
  // One client sees %output only for windows of its own session: link every window into one.
  await execTmux(['new-session', '-d', '-s', 'bench-mon', '-x', '120', '-y', '32', ...IDLE_CMD]);
  for (let i = 0; i < sessions.length; i += 50) {
    const args = [];
    for (const s of sessions.slice(i, i + 50)) args.push(...(args.length ? [';'] : []), 'link-window', '-d', '-s', `=${s.name}:`, '-t', 'bench-mon:');
    await execTmux(args);
  }
  const child = spawn('tmux', tmux.argv(['-C', 'attach-session', '-t', 'bench-mon', '-f', 'ignore-size,read-only']), { env });
  const lastOutput = new Map();
  let bytes = 0;
  let buf = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    bytes += chunk.length;
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.startsWith('%output ')) lastOutput.set(line.slice(8, line.indexOf(' ', 8)), Date.now());
    }
  });
  const t0 = performance.now();
  return {
    extra: () => ({ outputKBps: Math.round(bytes / (performance.now() - t0)) }),
    stop: async () => {
      child.kill();
      await execTmux(['kill-session', '-t', '=bench-mon']);
    },
  };
}

/** CPU per call of the tmux operations a monitor is built from. */
async function perOperation(idle, serverPid) {
  const client = await openControlClient({ tmux, session: idle[0].name, log: createSilentLogger() });
  const paneIds = (await client.run(['list-panes', '-a', '-F', '#{pane_id}'])).filter(Boolean);
  const cases = [
    ['list-panes -a (activity scan), tmux -C', 200, () => client.run(['list-panes', '-a', '-F', paneFormat(false)])],
    ['list-panes -a + pane_current_command, tmux -C', 200, () => client.run(['list-panes', '-a', '-F', paneFormat(true)])],
    ['capture-pane (visible screen), tmux -C', 400, (i) => client.run(['capture-pane', '-p', '-J', '-t', paneIds[i % paneIds.length]])],
    ['list-panes -a (activity scan), spawned tmux', 50, () => execTmux(['list-panes', '-a', '-F', paneFormat(false)])],
    ['capture-pane (visible screen), spawned tmux', 50, (i) => execTmux(['capture-pane', '-p', '-J', '-t', paneIds[i % paneIds.length]])],
  ];
  const out = [];
  // The server's own background rate (nothing asked), subtracted from each case.
  const idle0 = statTicks(`/proc/${serverPid}/stat`).own;
  const idleT0 = performance.now();
  await sleep(2000);
  const idlePerMs = ((statTicks(`/proc/${serverPid}/stat`).own - idle0) * 1000) / HZ / (performance.now() - idleT0);
  for (const [op, n, fn] of cases) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const self0 = statTicks('/proc/self/stat');
    const srv0 = statTicks(`/proc/${serverPid}/stat`);
    for (let i = 0; i < n; i++) await fn(i);
    const c = process.cpuUsage(c0);
    const clientMs = ((c.user + c.system) / 1000 + ((statTicks('/proc/self/stat').children - self0.children) * 1000) / HZ) / n;
    const serverMs = Math.max(0, ((statTicks(`/proc/${serverPid}/stat`).own - srv0.own) * 1000) / HZ - idlePerMs * (performance.now() - t0)) / n;
    const r2 = (x) => Math.round(x * 100) / 100;
    out.push({ op, calls: n, clientMs: r2(clientMs), serverMs: r2(serverMs), totalMs: r2(clientMs + serverMs) });
    log(`  ${op}: ${r2(clientMs + serverMs)} ms per call`);
  }
  client.dispose();
  return out;
}

async function rdvMonitor(deps, userId, mode, settings) {
  const service = createOrchestratorService({ ...deps, readerMode: mode, defaults: { intervalSeconds: 30, stallThresholdSeconds: 300 } });
  const { orchestrator } = service.create(userId, { kind: 'master', ...settings });
  await service.startMonitoring(userId, orchestrator.id);
  return {
    extra: () => ({ watched: service.monitoringStatus(userId, orchestrator.id).sessions.length, reader: service.monitor.method }),
    stop: async () => {
      service.stopMonitoring(userId, orchestrator.id);
      service.delete(userId, orchestrator.id);
      await service.dispose();
    },
  };
}

async function main() {
  const handle = openDb({ path: join(dir, 'bench.db'), migrate: true });
  const db = handle.db;
  const silent = createSilentLogger();
  const owner = ensureOwner(db, { email: '', cliTokenPath: join(dir, 'cli-token'), log: silent }).owner;
  const events = createEventBus(db);
  const folders = createFolderService({ db, events });
  const sessionsService = createSessionService({ db, tmux, folders, events, log: silent, shell: '/bin/sh', defaultCwd: dir, apiSocket: join(dir, 'api.sock'), exitStatusDir: join(dir, 'exit-status') });
  const deps = { db, tmux, events, folders, sessions: sessionsService, log: silent };
  try {
    log(`creating ${IDLE} idle and ${BUSY} busy sessions on tmux socket ${socket}…`);
    const sessions = await createSessions(db, owner.id);
    const serverPid = Number((await execTmux(['display-message', '-p', '#{pid}'])).trim());
    await sleep(2000);
    const b0 = statTicks(`/proc/${serverPid}/stat`).own;
    const t0 = performance.now();
    await sleep(WINDOW_MS);
    const baselinePerMs = ((statTicks(`/proc/${serverPid}/stat`).own - b0) * 1000) / HZ / (performance.now() - t0);
    log(`  baseline: tmux server ${Math.round(baselinePerMs * 1000) / 10}% of a core with no monitoring`);
    const rows = [];
    const only = new Set(opts.only.split(',').filter(Boolean).map(Number));
    let n = 0;
    const m = async (name, start, warmupMs) => {
      n++;
      if (only.size && !only.has(n)) return;
      rows.push(await measure(name, serverPid, baselinePerMs, start, (h) => h.stop(), warmupMs));
    };
    await m('poll capture-pane, spawned tmux, every 1 s', () => pollSpawned(sessions));
    await m('poll capture-pane, one tmux -C client, every 1 s', () => pollControl(sessions));
    await m('%output of every pane, one tmux -C client', () => outputStream(sessions));
    await m('rdv monitor: activity + capture on change, tmux -C (chosen)', () => rdvMonitor(deps, owner.id, 'control', {}), 3000);
    await m('rdv monitor: activity + capture on change, spawned tmux', () => rdvMonitor(deps, owner.id, 'exec', {}), 3000);
    await m('rdv monitor, tmux -C, all 200 idle stalled (2 s threshold and interval)', () => rdvMonitor(deps, owner.id, 'control', { intervalSeconds: 2, stallThresholdSeconds: 2 }), 6000);
    // Per-operation costs with the busy panes stopped, so the tmux server's share is exact.
    await execTmux(sessions.filter((x) => x.busy).flatMap((x, i) => [...(i ? [';'] : []), 'kill-session', '-t', `=${x.name}`]));
    const ops = await perOperation(sessions.filter((x) => !x.busy), serverPid);
    const result = { idle: IDLE, busy: BUSY, windowSeconds: WINDOW_MS / 1000, tmuxServerBaselinePct: Math.round(baselinePerMs * 1000) / 10, rows, ops };
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      process.stdout.write(`\nMonitoring ${IDLE} idle + ${BUSY} busy tmux sessions (% of one core over ${WINDOW_MS / 1000} s)\n\n`);
      process.stdout.write('| method | node | spawned tmux | tmux server (extra) | total |\n|---|---:|---:|---:|---:|\n');
      for (const r of rows) process.stdout.write(`| ${r.method} | ${r.nodePct} | ${r.spawnedPct} | ${r.tmuxServerPct} | **${r.totalPct}** |\n`);
      process.stdout.write(`\nPer operation, ${IDLE} panes, busy panes stopped (CPU ms per call)\n\n| operation | node + spawned | tmux server | total |\n|---|---:|---:|---:|\n`);
      for (const o of ops) process.stdout.write(`| ${o.op} | ${o.clientMs} | ${o.serverMs} | **${o.totalMs}** |\n`);
    }
  } finally {
    await tmux.killServer();
    handle.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    void tmux.killServer().finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    });
  });
}
await main();
