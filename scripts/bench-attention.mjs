#!/usr/bin/env node
// Attention speed, on the built api and CLI, with a fake Claude Code reachable only through
// its hooks (packages/core/src/testing/fake-agent.mjs) and a local webhook sink:
//   - `rdv hook` wall time, against `node -e ''` (the floor of any hook written for node);
//   - hook event → `agent.state` on /api/events (goal: p95 under 200 ms);
//   - hook event → the webhook request leaving (goal: under 1 s).
// `--runs N` (default 40). Everything runs in a temp RDV_HOME on its own tmux socket.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'packages/cli/dist/main.js');
const FAKE = join(ROOT, 'packages/core/src/testing/fake-agent.mjs');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 40;

const home = mkdtempSync(join(tmpdir(), 'rdv-bench-att-'));
const tmuxSocket = `bench-${randomBytes(4).toString('hex')}`;
const bin = join(home, 'agents', 'bin');
const agentHome = join(home, 'agents', 'home');
mkdirSync(bin, { recursive: true });
mkdirSync(agentHome, { recursive: true });
writeFileSync(join(bin, 'claude'), `#!/bin/sh\nexec '${process.execPath}' '${FAKE}' claude "$@"\n`);
chmodSync(join(bin, 'claude'), 0o755);
writeFileSync(join(agentHome, '.profile'), `PATH='${bin}':"$PATH"; export PATH\n`);

const now = () => Number(process.hrtime.bigint()) / 1e6;
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (xs) => `p50 ${pct(xs, 50).toFixed(1)} ms  p95 ${pct(xs, 95).toFixed(1)} ms  (n=${xs.length})`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The webhook sink: when each notification left rdv.
const hooks = [];
const sink = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    hooks.push({ at: now(), body: JSON.parse(body) });
    res.end('ok');
  });
});
await new Promise((r) => sink.listen(0, '127.0.0.1', r));

const env = {
  PATH: process.env.PATH,
  HOME: home,
  LANG: 'C.UTF-8',
  RDV_HOME: home,
  RDV_TMUX_SOCKET: tmuxSocket,
  RDV_TMUX_CONFIG_FILE: '/dev/null',
  RDV_SHELL: '/bin/sh',
  RDV_LOG_LEVEL: 'warn',
  RDV_NOTIFICATIONS_WEBHOOK_URL: `http://127.0.0.1:${sink.address().port}/hook`,
  RDV_NOTIFICATIONS_COALESCE_SECONDS: '0',
  RDV_NOTIFICATIONS_MAX_PER_HOUR: '10000',
};
const apiSocket = join(home, 'run', 'api.sock');
const api = spawn(process.execPath, [join(ROOT, 'services/api/dist/main.js')], { env, stdio: 'ignore' });

function call(method, path, body, token) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ socketPath: apiSocket, path, method, headers: { authorization: `Bearer ${token}`, ...(data ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

function run(argv, input, extraEnv = {}) {
  return new Promise((resolve) => {
    const started = now();
    const child = spawn(argv[0], argv.slice(1), { env: { ...env, ...extraEnv }, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('close', () => resolve(now() - started));
    child.stdin.end(input);
  });
}

let failed = false;
try {
  let token = null;
  for (let i = 0; i < 400 && !token; i++) {
    await sleep(50);
    try {
      token = readFileSync(join(home, 'cli-token'), 'utf8').trim();
      if ((await call('GET', '/health', undefined, token)).status !== 200) token = null;
    } catch {
      token = null;
    }
  }
  if (!token) throw new Error('the api did not start');
  const created = await call('POST', '/api/sessions', { name: 'bench', kind: 'agent', agent: 'claude', env: { PATH: `${bin}:${process.env.PATH}`, HOME: agentHome } }, token);
  if (created.status !== 201) throw new Error(`could not create the session: ${JSON.stringify(created.body)}`);
  const id = created.body.id;
  const hookToken = execFileSync('tmux', ['-L', tmuxSocket, 'show-environment', '-t', `rdv-${id}`, 'RDV_HOOK_TOKEN'], { encoding: 'utf8' }).trim().split('=')[1];
  const hookEnv = { RDV_API_SOCKET: apiSocket, RDV_SESSION_ID: id, RDV_HOOK_TOKEN: hookToken };

  // The event stream, with when each agent.state arrived.
  const states = [];
  const sse = request({ socketPath: apiSocket, path: '/api/events', headers: { authorization: `Bearer ${token}` } }, (res) => {
    let buf = '';
    res.on('data', (c) => {
      buf += c;
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (block.includes('event: agent.state') && data) states.push({ at: now(), state: JSON.parse(data.slice(6)).data.state });
      }
    });
  });
  sse.on('error', () => {});
  sse.end();
  await sleep(500);

  const baseline = [];
  const hookWall = [];
  const toSse = [];
  const toWebhook = [];
  for (let i = 0; i < RUNS; i++) {
    baseline.push(await run([process.execPath, '-e', ''], ''));
    const command = `make deploy-${i}`;
    const event = JSON.stringify({ session_id: 'bench', hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: { command } });
    const started = now();
    hookWall.push(await run([process.execPath, CLI, 'hook', 'claude'], event, hookEnv));
    for (let w = 0; w < 200; w++) {
      const seen = states.find((s) => s.state.message === `Bash: ${command}`);
      const sent = hooks.find((h) => h.body.sessionId === id && h.body.body === `Bash: ${command}`);
      if (seen && sent) {
        toSse.push(seen.at - started);
        toWebhook.push(sent.at - started);
        break;
      }
      await sleep(5);
    }
    // Back to work, so the next permission is a new one.
    await run([process.execPath, CLI, 'hook', 'claude'], JSON.stringify({ hook_event_name: 'PostToolUse', tool_name: 'Bash' }), hookEnv);
  }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`attention bench (${RUNS} runs, load average ${load})`);
  console.log(`  baseline: node -e ''                 ${fmt(baseline)}`);
  console.log(`  rdv hook claude (wall, incl. post)   ${fmt(hookWall)}   → ${(pct(hookWall, 50) - pct(baseline, 50)).toFixed(1)} ms over the baseline at p50 (goal 50)`);
  console.log(`  hook spawned → agent.state on SSE    ${fmt(toSse)}   (goal p95 200 ms)`);
  console.log(`  hook spawned → webhook request out   ${fmt(toWebhook)}   (goal 1000 ms)`);
  if (toSse.length < RUNS) {
    failed = true;
    console.error(`  ${RUNS - toSse.length} events were not seen within a second`);
  }
  sse.destroy();
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  api.kill('SIGTERM');
  await new Promise((r) => api.once('exit', r));
  try {
    execFileSync('tmux', ['-L', tmuxSocket, 'kill-server'], { stdio: 'ignore' });
  } catch {
    // No server left: nothing to kill.
  }
  sink.close();
  rmSync(home, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
