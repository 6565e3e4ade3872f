import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '@rdv/core/db';
import { useRecordingAgents, useRepo, waitFor } from '@rdv/core/testing';
import { createTmux, listOwnProcs, readEnviron } from '@rdv/core/tmux';
import { openSse, useApi } from './helpers.js';

// Small logs (rotated at 64 KiB) and a quick reconcile, so a lost tmux server is seen at once.
const api = await useApi({ RDV_SESSIONS_LOG_MAX_BYTES: '65536', RDV_SESSIONS_RECONCILE_INTERVAL_MS: '300', RDV_SESSIONS_STOP_TIMEOUT_SECONDS: '1' });
const CLAUDE_ID = '5b0c7f1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e';
// Agents on PATH the way a user has them: the sessions' login shell reads ~/.profile (HOME is
// this test's home for the sessions that set it; the in-process api's tmux has the runner's).
const agents = useRecordingAgents({ claude: CLAUDE_ID }, 'file');
writeFileSync(join(api.home, '.profile'), `PATH="${agents.bin}:$PATH"; export PATH\n`);

const create = async (body: Record<string, unknown>) => {
  const r = await api.call('POST', '/api/sessions', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; name: string; tmuxName: string };
};
const exec = (id: string, command: string) => api.call('POST', `/api/sessions/${id}/exec`, { command });
const output = (id: string, query = '') => api.call('GET', `/api/sessions/${id}/output${query}`);
const textOf = async (id: string) => (await output(id)).body.text as string;
/** Every live process whose environment names this session: a walk of /proc. */
const procsOf = (sessionId: string) =>
  listOwnProcs()
    .filter((p) => p.state !== 'Z' && readEnviron(p.pid)?.get('RDV_SESSION_ID') === sessionId)
    .map((p) => `${p.pid}:${p.startTime}`);
const alive = (procs: string[]) => {
  const now = new Set(listOwnProcs().filter((p) => p.state !== 'Z').map((p) => `${p.pid}:${p.startTime}`));
  return procs.filter((p) => now.has(p));
};

describe('GET /api/sessions/:id/output', () => {
  it('reads a session as text, raw bytes, its last lines, or page by page across rotations, also once it is closed', async () => {
    const s = await create({ name: 'printer', kind: 'shell' });
    // About 120 KiB: the log rotates at 64 KiB.
    await exec(s.id, 'i=0; while [ $i -lt 1500 ]; do printf "\\033[1mline %05d\\033[0m %s\\n" $i 0123456789012345678901234567890123456789012345678901234567890123456789; i=$((i+1)); done; echo "done-$((1+1))-printing"');
    // Expanded by the shell, so only its output matches (the typed line is in the log too).
    await waitFor(async () => (await output(s.id, '?tail=3')).body.text?.includes('done-2-printing'), 'the printing to finish', 20_000);
    expect(existsSync(join(api.home, 'sessions', s.id, 'output.log.1'))).toBe(true);

    const tail = await output(s.id, '?tail=4');
    expect(tail.status).toBe(200);
    expect(tail.body).toMatchObject({ sessionId: s.id, format: 'text', more: false });
    expect(tail.body.text).toMatch(/line 01499 0123/);
    expect(tail.body.text).not.toContain('\u001b');

    // Paging from the oldest byte kept to the end, 32 KiB at a time, gives every line once, in order.
    let from = (await output(s.id, '?limit=1')).body.logStart as number;
    let all = '';
    for (let pages = 0; ; pages++) {
      expect(pages).toBeLessThan(20);
      const page = await output(s.id, `?from=${from}&limit=32768`);
      expect(page.body.start).toBe(from);
      all += page.body.text;
      from = page.body.end;
      if (!page.body.more) break;
    }
    const numbers = [...all.matchAll(/^line (\d{5}) /gm)].map((m) => Number(m[1]));
    expect(numbers.length).toBeGreaterThan(1000);
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
    expect(numbers.at(-1)).toBe(1499);

    const raw = await output(s.id, '?format=raw&tail=3');
    expect(raw.status).toBe(200);
    expect(raw.headers['content-type']).toMatch(/^application\/octet-stream/);
    expect(raw.text).toContain('\u001b[1mline 01499\u001b[0m');
    expect(Number(raw.headers['x-output-end'])).toBe(Number(raw.headers['x-output-log-end']));
    expect(Number(raw.headers['x-output-end']) - Number(raw.headers['x-output-start'])).toBe(Buffer.byteLength(raw.text));
    expect(raw.headers['x-output-more']).toBe('false');

    expect((await api.call('DELETE', `/api/sessions/${s.id}`)).body.status).toBe('closed');
    expect((await output(s.id, '?tail=3')).body.text).toContain('done-2-printing');
  });

  it('refuses a bad query and unknown sessions', async () => {
    const s = await create({ name: 'quiet', kind: 'shell' });
    for (const q of ['?format=xml', '?tail=0', '?tail=2&from=0', '?limit=0', '?from=-1', '?lines=3']) {
      const r = await output(s.id, q);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code).toBe('invalid_input');
    }
    expect((await output('00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});

describe('GET /api/search', () => {
  it('finds words across many sessions, closed ones too, filtered by session, folder and time', async () => {
    const folder = (await api.call('POST', '/api/folders', { name: 'searched' })).body;
    const made = [];
    for (let i = 0; i < 8; i++) {
      const s = await create({ name: `search-${i}`, kind: 'shell', folderId: i < 2 ? folder.id : undefined });
      // Expanded by the shell: the typed line (also in the log) holds neither word.
      await exec(s.id, `echo "common-$((1+1))word marker$((${i}+100))x"`);
      made.push(s);
    }
    await api.call('DELETE', `/api/sessions/${made[7]!.id}`);
    const found = await waitFor(async () => {
      const r = await api.call('GET', '/api/search?q=common-2word&limit=100');
      return r.body.items?.length >= 8 ? r.body : null;
    }, 'the indexer to index every session', 30_000, 250);
    const ids = new Set(made.map((s) => s.id));
    expect(found.items.filter((h: any) => ids.has(h.sessionId))).toHaveLength(8);

    const one = (await api.call('GET', '/api/search?q=marker103x')).body;
    expect(one.items.map((h: any) => h.sessionId)).toEqual([made[3]!.id]);
    const m = one.items[0].matches[0];
    expect(m.snippet).toContain('common-2word marker103x');
    const [a, b] = m.highlights[0];
    expect(m.snippet.slice(a, b)).toBe('marker103x');
    const line = await output(made[3]!.id, `?from=${m.offset}&limit=200`);
    expect(line.body.text.split('\n')[0]).toContain('marker103x');

    expect((await api.call('GET', '/api/search?q=marker107x')).body.items.map((h: any) => [h.sessionId, h.status])).toEqual([[made[7]!.id, 'closed']]);
    expect((await api.call('GET', `/api/search?q=common-2word&folderId=${folder.id}`)).body.items.map((h: any) => h.name).sort()).toEqual(['search-0', 'search-1']);
    expect((await api.call('GET', `/api/search?q=common-2word&sessionId=${made[5]!.id}`)).body.items.map((h: any) => h.sessionId)).toEqual([made[5]!.id]);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await api.call('GET', `/api/search?q=common-2word&since=${encodeURIComponent(future)}`)).body.items).toEqual([]);
    expect((await api.call('GET', '/api/search?q=')).status).toBe(400);
    expect((await api.call('GET', '/api/search?q=x&since=yesterday')).status).toBe(400);
  }, 90_000);
});

describe('closing and losing sessions', () => {
  it('closing through the api leaves no process of the session running', async () => {
    const s = await create({ name: 'loops', kind: 'shell' });
    await exec(s.id, "(trap '' TERM HUP; while :; do sleep 0.2; done) & while :; do sleep 0.2; done");
    const before = await waitFor(() => (procsOf(s.id).length >= 4 ? procsOf(s.id) : null), 'the loops');
    expect((await api.call('DELETE', `/api/sessions/${s.id}`)).body.status).toBe('closed');
    expect(alive(before)).toEqual([]);
    expect(procsOf(s.id)).toEqual([]);
  });

  it('a killed tmux server: the api ends what is left, brings the sessions back and says so', async () => {
    const sse = openSse(api.socket, api.ownerToken);
    const shell = await create({ name: 'lost-shell', kind: 'shell' });
    await exec(shell.id, "echo before-the-crash; (trap '' HUP TERM; while :; do sleep 0.2; done) &");
    const claude = await create({ name: 'lost-claude', kind: 'agent', agent: 'claude', env: { HOME: api.home } });
    const db = openDb({ path: api.config.paths.db });
    db.sqlite.prepare('UPDATE sessions SET agent_session_id = ? WHERE id = ?').run(CLAUDE_ID, claude.id);
    db.dispose();
    // rdv adds its hooks to the command line (`--settings <file>`): the start is claude's either way.
    const started = (tail: string) => agents.starts().some((l) => l.startsWith('claude') && l.endsWith(tail));
    await waitFor(() => started(''), 'claude to start');
    const leftovers = await waitFor(() => (procsOf(shell.id).length >= 3 ? procsOf(shell.id) : null), 'the shell and its loop');
    const dry = (await api.call('POST', '/api/sessions/restore', { dryRun: true })).body;
    expect(dry).toEqual({ dryRun: true, items: [] });

    await createTmux({ socket: api.tmuxSocket }).killServer();
    const restored = await waitFor(() => {
      const ids = sse.events.filter((e) => e.event === 'session.restored').map((e) => e.data.data.session.id);
      return ids.includes(shell.id) && ids.includes(claude.id) ? ids : null;
    }, 'session.restored events', 20_000);
    // Every open session came back (those of the tests above too), each once.
    expect(new Set(restored).size).toBe(restored.length);
    sse.close();
    expect(alive(leftovers)).toEqual([]);
    await waitFor(() => started(`--resume ${CLAUDE_ID}`), 'claude to resume its conversation');
    for (const id of [shell.id, claude.id]) {
      expect((await api.call('GET', `/api/sessions/${id}`)).body).toMatchObject({ status: 'active', restoredAt: expect.any(String), lostAt: null });
    }
    await exec(shell.id, 'echo after-the-crash');
    await waitFor(async () => /before-the-crash[\s\S]*after-the-crash/.test(await textOf(shell.id)), 'one log across the crash');
  });

  it("a worktree session's log goes to the trash with it, comes back with it, and is deleted with it", async () => {
    const repo = useRepo();
    const s = await create({ name: 'wt-log', kind: 'shell', worktree: { repoPath: repo.path, branch: 'log-b' } });
    await exec(s.id, 'echo trash-me-$((2*21))');
    await waitFor(async () => (await textOf(s.id)).includes('trash-me-42'), 'the echo');
    expect((await api.call('DELETE', `/api/sessions/${s.id}`)).body.status).toBe('trashed');
    const entry = (await api.call('GET', '/api/trash')).body.items.find((t: any) => t.sessionId === s.id);
    expect(existsSync(join(api.home, 'sessions', s.id))).toBe(false);
    expect(existsSync(join(api.home, 'trash', entry.id, 'output', 'output.log'))).toBe(true);
    expect(await textOf(s.id)).toContain('trash-me-42');
    await waitFor(async () => (await api.call('GET', '/api/search?q=trash-me-42')).body.items.length === 1, 'the trashed log to be found', 20_000, 250);

    expect((await api.call('POST', `/api/trash/${entry.id}/restore`)).status).toBe(200);
    expect(existsSync(join(api.home, 'sessions', s.id, 'output.log'))).toBe(true);
    expect(await textOf(s.id)).toContain('trash-me-42');

    await api.call('DELETE', `/api/sessions/${s.id}`);
    const again = (await api.call('GET', '/api/trash')).body.items.find((t: any) => t.sessionId === s.id);
    expect((await api.call('DELETE', `/api/trash/${again.id}`)).body).toEqual({ emptied: 1 });
    expect(existsSync(join(api.home, 'trash', again.id))).toBe(false);
    expect(await textOf(s.id)).toBe('');
    await waitFor(async () => (await api.call('GET', '/api/search?q=trash-me-42')).body.items.length === 0, 'the index to forget it', 20_000, 250);
  });
});
