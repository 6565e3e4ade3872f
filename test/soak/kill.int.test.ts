// kill -9 at random moments: sessions printing output, clients attached through the edge
// and an event stream resuming with Last-Event-ID, while the api, the terminal service and
// the web edge are each killed again and again. Every session survives in tmux and in the
// database, the database checks out, no event is lost, and each service serves again
// within 2 s of its death.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { openDb } from '@rdv/core/db';
import { waitFor } from '@rdv/core/testing';
import { describe, expect, it } from 'vitest';
import { watchEvents, watchTerminal } from './clients.js';
import { FULL, SERVICES, report, seeded, signIn, size, useSoakStack, type Service } from './harness.js';

const SESSIONS = size(6, 100);
const CLIENTS = size(3, 20);
const ROUNDS = size(2, 10);
const TICK_S = size(0.5, 1);
/**
 * A service must serve again within 2 s of its death. A restart is CPU-bound (node starting
 * and loading its modules), so on a machine whose load is above its core count the goal
 * stretches by that factor (at most 5); the report prints both.
 */
const loadFactor = () => Math.min(5, Math.max(1, loadavg()[0]! / cpus().length));

const stack = await useSoakStack();
const rand = seeded(Number(process.env.RDV_SOAK_SEED ?? Date.now() % 1_000_000));

/** Kills a service with SIGKILL and times it back to serving (a new process answering its health check). */
async function killAndTime(service: Service): Promise<number> {
  const old = stack.pid(service);
  if (!old) throw new Error(`${service} has no pid`);
  const at = Date.now();
  process.kill(old, 'SIGKILL');
  await waitFor(async () => {
    const now = stack.pid(service);
    return now !== null && now !== old && (await stack.serving(service));
  }, `${service} serving again`, 60_000, 20);
  return Date.now() - at;
}

describe('kill -9 under load', () => {
  it(`keeps ${SESSIONS} printing sessions, ${CLIENTS} clients and the event stream through ${ROUNDS} kills of each service`, async () => {
    const sessions: string[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const s = await stack.api<{ id: string }>('POST', '/api/sessions', { name: `soak-${i}`, kind: 'shell' });
      expect(s.status).toBe(201);
      sessions.push(s.body.id);
      await stack.api('POST', `/api/sessions/${s.body.id}/exec`, { command: `i=0; while :; do i=$((i+1)); echo "tick $i"; sleep ${TICK_S}; done` });
    }
    const cookie = await signIn(stack);
    const terminals = Array.from({ length: CLIENTS }, (_, i) => watchTerminal(stack.url, cookie, sessions[i % sessions.length]!));
    const events = watchEvents(stack.url, cookie);
    await waitFor(() => terminals.every((t) => t.lastOutputAt() > 0), 'every client seeing output', 30_000);

    // Events keep coming: a folder renamed every 200 ms (failures while the api is down are expected).
    const folder = (await stack.api<{ id: string }>('POST', '/api/folders', { name: 'soak' })).body.id;
    let writing = true;
    let written = 0;
    const writer = (async () => {
      for (let n = 0; writing; n++) {
        const r = await stack.api('PATCH', `/api/folders/${folder}`, { name: `soak-${n}` }).catch(() => null);
        if (r?.status === 200) written++;
        await new Promise((r) => setTimeout(r, 200));
      }
    })();

    const restarts: Record<Service, number[]> = { api: [], terminal: [], web: [] };
    let lastKillAt = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const service of [...SERVICES].sort(() => rand.next() - 0.5)) {
        // A random moment, and never sooner than 5 s after this service's last start (the supervisor's crash-loop window).
        await new Promise((r) => setTimeout(r, 300 + rand.int(FULL ? 2500 : 1200)));
        const since = Date.now() - lastKillAt;
        if (since < 1000) await new Promise((r) => setTimeout(r, 1000 - since));
        restarts[service].push(await killAndTime(service));
        lastKillAt = Date.now();
      }
      await new Promise((r) => setTimeout(r, 5200 - Math.min(5200, Date.now() - lastKillAt) + 500));
    }

    writing = false;
    await writer;
    // Every client is back and seeing new output.
    const settled = Date.now();
    await waitFor(() => terminals.every((t) => t.lastOutputAt() > settled), 'every client attached again and seeing output', 30_000, 100);

    // Every session is still in tmux and in the database.
    const tmuxNames = execFileSync('tmux', ['-L', stack.tmuxSocket, 'list-sessions', '-F', '#{session_name}'], { encoding: 'utf8' }).split('\n');
    for (const id of sessions) expect(tmuxNames).toContain(`rdv-${id}`);
    const listed = (await stack.api<{ items: Array<{ id: string; status: string }> }>('GET', '/api/sessions?status=all')).body.items;
    for (const id of sessions) expect(listed.find((s) => s.id === id)?.status, id).toBe('active');

    // The database checks out, and the stream missed no event: every id from the first one it saw is there.
    const db = openDb({ path: join(stack.home, 'sqlite.db'), readonly: true });
    let integrity: string;
    let expected: number[];
    try {
      integrity = String(db.sqlite.pragma('integrity_check', { simple: true }));
      const me = (await stack.api<{ user: { id: string } }>('GET', '/api/auth/me')).body.user.id;
      const first = events.ids[0] ?? 0;
      const maxId = (db.sqlite.prepare('select max(id) as m from events where user_id = ?').get(me) as { m: number }).m;
      await waitFor(() => events.ids.includes(maxId), 'the stream catching up', 30_000, 100);
      expected = (db.sqlite.prepare('select id from events where user_id = ? and id >= ? and id <= ? order by id').all(me, first, maxId) as Array<{ id: number }>).map((r) => r.id);
    } finally {
      db.dispose();
    }
    const received = new Set(events.ids);
    const lost = expected.filter((id) => !received.has(id));
    for (const t of terminals) t.stop();
    events.stop();

    const factor = loadFactor();
    const goalMs = Math.round(2000 * factor);
    const stats = (ms: number[]) => ({ n: ms.length, max: Math.max(...ms), p50: [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)] });
    report('kill', {
      sessions: SESSIONS,
      clients: CLIENTS,
      kills: Object.values(restarts).flat().length,
      api_ms: stats(restarts.api),
      terminal_ms: stats(restarts.terminal),
      web_ms: stats(restarts.web),
      events_expected: expected.length,
      events_received: received.size,
      events_lost: lost.length,
      event_writes: written,
      client_reconnects: terminals.reduce((a, t) => a + t.reconnects(), 0),
      stream_reconnects: events.reconnects(),
      integrity,
      restart_goal_ms: goalMs,
      load_factor: factor.toFixed(2),
    });
    expect(integrity).toBe('ok');
    expect(lost).toEqual([]);
    expect(expected.length).toBeGreaterThan(ROUNDS);
    for (const service of SERVICES) {
      expect(restarts[service]).toHaveLength(ROUNDS);
      for (const ms of restarts[service]) expect(ms, `${service} back in ${ms} ms`).toBeLessThanOrEqual(goalMs);
    }
  }, size(240_000, 1_200_000));
});
