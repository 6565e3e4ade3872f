// Bench plumbing: a temp RDV_HOME with owner, token and a session on a private tmux
// socket; the built service as a child process; in-process and websocket terminals.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createToken, ensureOwner, openServiceTokenStore } from '@rdv/core/auth';
import { socketRequest } from '@rdv/core/lifecycle';
import { loadConfig } from '@rdv/core/config';
import { openDb } from '@rdv/core/db';
import { createEventBus } from '@rdv/core/events';
import { createFolderService } from '@rdv/core/folder';
import { createSilentLogger } from '@rdv/core/log';
import { createSessionService } from '@rdv/core/session';
import { attachTmuxPty } from '@rdv/core/pty';
import { createTmux, sanitizedEnv } from '@rdv/core/tmux';
import WebSocket from 'ws';

const nodePty = createRequire(import.meta.url)('node-pty');


export const ENTRY = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const RELAY = fileURLToPath(new URL('./relay.mjs', import.meta.url));
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Temp home, database, owner + CLI token, tmux on its own socket. `dispose()` removes all of it. */
export async function createBenchEnv() {
  const home = realpathSync(mkdtempSync(join(tmpdir(), 'rdvb-')));
  const socket = `bench-${randomBytes(4).toString('hex')}`;
  const env = { HOME: process.env.HOME ?? home, PATH: process.env.PATH ?? '/usr/bin:/bin', RDV_HOME: home, RDV_TMUX_SOCKET: socket, RDV_TMUX_CONFIG_FILE: '/dev/null', RDV_LOG_LEVEL: 'warn' };
  const config = loadConfig({ env });
  const db = openDb({ path: config.paths.db, migrate: true });
  const log = createSilentLogger();
  const { owner } = ensureOwner(db.db, { email: '', cliTokenPath: config.paths.cliToken, log });
  const token = createToken(db.db, { userId: owner.id, kind: 'cli', name: 'bench' }).token;
  openServiceTokenStore(config.paths.serviceToken, { create: true, graceMs: 0 });
  const tmux = createTmux({ socket, configFile: '/dev/null', historyLimit: 2000 });
  const events = createEventBus(db.db);
  const sessionDeps = { db: db.db, tmux, folders: createFolderService({ db: db.db, events }), events, log, shell: '/bin/sh', defaultCwd: home, apiSocket: config.paths.apiSocket, exitStatusDir: config.paths.exitStatusDir };
  const sessions = createSessionService(sessionDeps);
  // The same, with each session's output logged as the api does it (for the continuity bench).
  const logged = createSessionService({ ...sessionDeps, output: { sessionsDir: config.paths.sessionsDir, home, maxBytes: config.sessions.log_max_bytes } });
  let service = null;
  const disposers = [];
  return {
    home,
    env,
    config,
    tmux,
    token,
    /** A shell session; with `{ logged: true }` its output goes to its log like every session the api starts. */
    newSession: (name, options = {}) => (options.logged ? logged : sessions).create(owner.id, { name, kind: 'shell', cwd: home }),
    /** Starts dist/main.js and waits for /health. */
    async startService() {
      const log = process.env.BENCH_SERVICE_LOG ? 'inherit' : 'ignore';
      const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
      const proc = spawn(process.execPath, [...nodeArgs, ENTRY], { env, stdio: ['ignore', log, log === 'inherit' ? 'inherit' : 'pipe'] });
      service = proc;
      let stderr = '';
      proc.stderr?.on('data', (c) => (stderr += c));
      const deadline = Date.now() + 15_000;
      for (;;) {
        if (proc.exitCode !== null) throw new Error(`service exited: ${stderr}`);
        try {
          if ((await socketRequest(config.paths.terminalSocket, '/health', { timeoutMs: 1000 })).status === 200) return proc;
        } catch {
          // Not listening yet.
        }
        if (Date.now() > deadline) throw new Error('service did not become healthy');
        await sleep(50);
      }
    },
    /** Runs `fn` first thing in `dispose()`. */
    onDispose: (fn) => disposers.push(fn),
    health: () => socketRequest(config.paths.terminalSocket, '/health').then((r) => r.body),
    async dispose() {
      for (const fn of disposers.splice(0)) fn();
      if (service && service.exitCode === null) {
        const exited = new Promise((r) => service.once('exit', r));
        service.kill('SIGTERM');
        await Promise.race([exited, sleep(6000)]);
        if (service.exitCode === null) service.kill('SIGKILL');
      }
      await tmux.killServer().catch(() => undefined);
      db.dispose();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** About `mb` MB of coloured UTF-8 lines (SGR colours, accents, CJK, box drawing). */
export function writeColouredFile(path, mb) {
  const words = ['rdv', 'tmux', 'héllo', 'wörld', '你好', 'λambda', '─│┌┐', 'naïve', 'ok', '→', 'agent', 'session'];
  const target = mb * 1024 * 1024;
  const lines = [];
  let size = 0;
  for (let i = 0; size < target; i++) {
    let line = '';
    for (let w = 0; w < 10; w++) line += `\x1b[${31 + ((i + w) % 7)}m${words[(i * 7 + w) % words.length]}\x1b[0m `;
    line += `${i}\n`;
    lines.push(line);
    size += Buffer.byteLength(line);
  }
  writeFileSync(path, lines.join(''));
  return size;
}

/**
 * A terminal to drive: `write(text)`, and `onData(listener)` for raw output bytes.
 * `attachInProcess` is the baseline: plain node-pty running the same `tmux attach` in
 * this process (node-pty's own writer, which goes through the libuv thread pool).
 * `attachCorePty` is the same through `@rdv/core/pty`, whose writer the service uses
 * (straight to the fd). `attachWs` is a websocket client of the service (binary output
 * frames, JSON input frames as a browser sends them); `startRelay(...).attach` is the
 * same client of the bare relay.
 */
export function attachInProcess(benchEnv, session, cols, rows) {
  const argv = benchEnv.tmux.argv(['-u', 'attach-session', '-t', `=${session.tmuxName}`]);
  const env = { ...sanitizedEnv(benchEnv.env), TERM: 'xterm-256color' };
  const pty = nodePty.spawn('tmux', argv, { name: 'xterm-256color', cols, rows, cwd: benchEnv.home, env, encoding: null });
  const listeners = new Set();
  pty.onData((chunk) => {
    for (const l of listeners) l(chunk);
  });
  return Promise.resolve({
    write: (text) => pty.write(text),
    onData: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => pty.kill(),
  });
}

export function attachCorePty(benchEnv, session, cols, rows) {
  const pty = attachTmuxPty(benchEnv.tmux, session.tmuxName, { cols, rows, env: benchEnv.env });
  return Promise.resolve({
    write: (text) => pty.write(text),
    onData: (listener) => pty.onData(listener),
    close: () => pty.dispose(),
  });
}

export function attachWs(benchEnv, session, cols, rows) {
  const url = `ws+unix://${benchEnv.config.paths.terminalSocket}:/ws/terminal/${session.id}?cols=${cols}&rows=${rows}`;
  return wsTerminal(url, { authorization: `Bearer ${benchEnv.token}` });
}

/**
 * Starts relay.mjs (the least a relay process can do) for `session`; `attach` is then a
 * websocket client of it, like `attachWs`. The relay ends with `benchEnv.dispose()`.
 */
export async function startRelay(benchEnv, session) {
  const socketPath = join(benchEnv.home, 'relay.sock');
  const argv = benchEnv.tmux.argv(['-u', 'attach-session', '-t', `=${session.tmuxName}`]);
  const proc = spawn(process.execPath, [RELAY, socketPath, ...argv], { env: benchEnv.env, stdio: ['pipe', 'pipe', 'inherit'] });
  benchEnv.onDispose(() => proc.stdin.end());
  await new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`relay exited with ${code}`)));
    proc.stdout.once('data', resolve);
  });
  return {
    attach: (_env, _session, cols, rows) => wsTerminal(`ws+unix://${socketPath}:/?cols=${cols}&rows=${rows}`, {}),
  };
}

/** A websocket terminal: binary output frames, JSON input frames as a browser sends them. */
function wsTerminal(url, headers) {
  const ws = new WebSocket(url, { headers, perMessageDeflate: false });
  const listeners = new Set();
  ws.on('message', (data, isBinary) => {
    if (!isBinary) return;
    for (const l of listeners) l(data);
  });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        write: (text) => ws.send(JSON.stringify({ type: 'input', data: text })),
        onData: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
        close: () => ws.close(),
      }),
    );
  });
}

/** Resolves with the hrtime at which `needle` shows up in the output (also across chunk edges). */
export function waitForBytes(term, needle, timeoutMs) {
  const want = Buffer.from(needle);
  let tail = Buffer.alloc(0);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${needle}`));
    }, timeoutMs);
    const off = term.onData((chunk) => {
      const edge = tail.length ? Buffer.concat([tail, chunk.subarray(0, want.length - 1)]) : null;
      if (chunk.indexOf(want) >= 0 || (edge && edge.indexOf(want) >= 0)) {
        const at = process.hrtime.bigint();
        clearTimeout(timer);
        off();
        resolve(at);
        return;
      }
      tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - want.length + 1)));
    });
  });
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

let runSeq = 0;
/** A number for markers no earlier run printed. */
export const nextRun = () => ++runSeq;

/** `cat file` until a marker after it reaches every attached terminal: seconds, MB/s of the file, MB/s received. */
export async function throughput(env, session, attach, clients, file, bytes, cols, rows) {
  const run = nextRun();
  const terms = [];
  for (let i = 0; i < clients; i++) terms.push(await attach(env, session, cols, rows));
  try {
    const ready = terms.map((t) => waitForBytes(t, `READY${run}`, 30_000));
    terms[0].write(`clear; printf 'READ%s\\n' Y${run}\r`);
    await Promise.all(ready);
    await sleep(300); // let the attach redraws settle
    const done = terms.map((t) => waitForBytes(t, `BENCHDONE${run}`, 600_000));
    const got = terms.map(() => 0);
    const offs = terms.map((t, i) => t.onData((chunk) => (got[i] += chunk.length)));
    done.forEach((d, i) => d.then(offs[i], offs[i]));
    const start = process.hrtime.bigint();
    terms[0].write(`cat ${file}; printf 'BENCH%s\\n' DONE${run}\r`);
    const ends = await Promise.all(done);
    return ends.map((end, i) => {
      const seconds = Number(end - start) / 1e9;
      return { seconds, rate: bytes / 1048576 / seconds, got: got[i] / 1048576 / seconds };
    });
  } finally {
    for (const t of terms) t.close();
    await sleep(200);
  }
}

/**
 * Round-trip times (ms) of `count` single keystrokes echoed by the tty of an attached
 * terminal (`{ write, close }`, read by waitForBytes), after `warmup` that are not counted;
 * the terminal is closed afterwards.
 */
export async function echoTimes(term, count, warmup = 20) {
  try {
    const run = nextRun();
    const ready = waitForBytes(term, `READY${run}`, 30_000);
    term.write(`clear; printf 'READ%s\\n' Y${run}\r`);
    await ready;
    await sleep(100);
    const times = [];
    for (let i = 0; i < count + warmup; i++) {
      const ch = String.fromCharCode(97 + (i % 26));
      const seen = waitForBytes(term, ch, 5000);
      const start = process.hrtime.bigint();
      term.write(ch);
      const end = await seen;
      if (i >= warmup) times.push(Number(end - start) / 1e6);
    }
    term.write('\x15'); // kill the typed line
    await sleep(50);
    return times;
  } finally {
    term.close();
    await sleep(100);
  }
}
