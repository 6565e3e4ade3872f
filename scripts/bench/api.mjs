#!/usr/bin/env node
// The api under load: autocannon against api.sock (GET /api/sessions with `--sessions` (20)
// sessions, POST /api/sessions/:id/exec), against a bare Express app on a unix socket in a process
// of its own (bare-express.mjs) answering the same paths with the same bodies (JSON parsed, and for
// exec the typing into the same tmux session that exec cannot do without), in alternating rounds. Goal: requests per second >= 0.7x the bare app's.
// `--seconds N` per run (default 10), `--connections N` (default 10).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { fmt, machine, numberArg, out, verdict, withStack } from './stack.mjs';

const SESSIONS = numberArg('sessions', 'BENCH_SESSIONS', 20);
const SECONDS = numberArg('seconds', 'BENCH_SECONDS', 10);
const CONNECTIONS = numberArg('connections', 'BENCH_CONNECTIONS', 10);
const ROUNDS = 2;
const GOAL = 0.7;

/** The floor: bare-express.mjs in its own process (ended by closing its stdin). */
async function bareApp(socketPath, listText, tmuxSocket, tmuxName) {
  const listFile = `${socketPath}.json`;
  writeFileSync(listFile, listText);
  const child = spawn(process.execPath, [fileURLToPath(new URL('./bare-express.mjs', import.meta.url)), socketPath, listFile, tmuxSocket, tmuxName], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bare-express exited ${code}`)));
    child.stdout.once('data', resolve);
  });
  return { close: () => new Promise((r) => (child.once('exit', r), child.stdin.end())) };
}

function cannon(socketPath, path, method, headers, body) {
  return autocannon({
    url: `http://localhost${path}`,
    socketPath,
    method,
    headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    connections: CONNECTIONS,
    duration: SECONDS,
  });
}

await withStack(
  { prefix: 'rdvba-', env: { RDV_RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000', RDV_RATE_LIMIT_SENSITIVE_PER_MINUTE: '1000000' } },
  async (stack) => {
    out(`api bench: autocannon, ${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} rounds, ${SESSIONS} sessions listed; ${machine()}`);
    await stack.start('api');
    const target = await stack.shell('exec-target');
    for (let i = 1; i < SESSIONS; i++) await stack.api('POST', '/api/sessions', { name: `listed-${i}`, kind: 'shell' });
    const auth = { authorization: `Bearer ${stack.token()}` };
    const list = await stack.api('GET', '/api/sessions');
    const dir = mkdtempSync(join(tmpdir(), 'rdvba-bare-'));
    const bareSocket = join(dir, 'bare.sock');
    const bare = await bareApp(bareSocket, JSON.stringify(list), stack.tmuxSocket, target.tmuxName);
    const cases = [
      { name: 'GET /api/sessions', path: '/api/sessions', method: 'GET' },
      // `:` is a no-op in the shell: the session types it and Enter, and stays idle.
      { name: 'POST /api/sessions/:id/exec', path: `/api/sessions/${target.id}/exec`, method: 'POST', body: { command: ':' } },
    ];
    try {
      for (const c of cases) {
        const runs = { rdv: [], bare: [] };
        for (let r = 0; r < ROUNDS; r++) {
          for (const side of r % 2 === 0 ? ['bare', 'rdv'] : ['rdv', 'bare']) {
            const socket = side === 'rdv' ? stack.sockets.api : bareSocket;
            runs[side].push(await cannon(socket, c.path, c.method, auth, c.body));
          }
        }
        const rps = (rs) => rs.reduce((a, x) => a + x.requests.average, 0) / rs.length;
        const p99 = (rs) => Math.max(...rs.map((x) => x.latency.p99));
        const errors = (rs) => rs.reduce((a, x) => a + x.errors + x.non2xx, 0);
        const ratio = rps(runs.rdv) / rps(runs.bare);
        out();
        out(c.name);
        out(`  bare Express (unix socket)   ${fmt(rps(runs.bare), 0)} req/s  p99 ${fmt(p99(runs.bare), 1)} ms`);
        out(`  rdv api (api.sock)           ${fmt(rps(runs.rdv), 0)} req/s  p99 ${fmt(p99(runs.rdv), 1)} ms  (${errors(runs.rdv)} errors or non-2xx)`);
        out(`  ratio rdv / bare             ${fmt(ratio)}   goal >= ${GOAL}  ${verdict(ratio >= GOAL && errors(runs.rdv) === 0)}`);
      }
      out(`  (${machine()})`);
    } finally {
      await bare.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
