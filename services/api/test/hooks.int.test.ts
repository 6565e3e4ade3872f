import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { socketRequest } from '@rdv/core/lifecycle';
import { useFakeAgents, waitFor } from '@rdv/core/testing';
import { useApi } from './helpers.js';

const api = await useApi();
const fakes = useFakeAgents();

describe('/api/folders/:id/hooks', () => {
  it('adds a hook, runs it on a session event in the session\'s cwd, keeps the run and audits it', async () => {
    const top = (await api.call('POST', '/api/folders', { name: 'h-top' })).body;
    const sub = (await api.call('POST', '/api/folders', { name: 'h-sub', parentId: top.id })).body;
    const argv = [process.execPath, '-e', 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>console.log(process.cwd(), JSON.parse(s).event, process.argv[1]))', '$(id) "x"'];
    const created = await api.call('POST', `/api/folders/${top.id}/hooks`, { name: 'echo', events: ['created'], argv });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ folderId: top.id, events: ['created'], argv, timeoutMs: 30_000, enabled: true, inherited: false });
    expect((await api.call('GET', `/api/folders/${sub.id}/hooks`)).body.items).toMatchObject([{ id: created.body.id, inherited: true }]);

    const s = (await api.call('POST', '/api/sessions', { name: 'h-session', kind: 'shell', folderId: sub.id, cwd: api.home })).body;
    const runs = await waitFor(async () => {
      const r = await api.call('GET', `/api/folders/${sub.id}/hooks/${created.body.id}/runs`);
      return r.body.items.length ? r.body.items : null;
    }, 'the hook run');
    expect(runs[0]).toMatchObject({ sessionId: s.id, event: 'created', exitCode: 0, timedOut: false, stdout: `${api.home} created $(id) "x"\n` });
    const audit = await api.call('GET', '/api/audit?limit=50');
    expect(audit.body.items.map((a: any) => a.action)).toEqual(expect.arrayContaining(['hook.create', 'hook.run']));

    expect((await api.call('PATCH', `/api/folders/${sub.id}/hooks/${created.body.id}`, { enabled: false })).status).toBe(409);
    expect((await api.call('PATCH', `/api/folders/${top.id}/hooks/${created.body.id}`, { enabled: false })).body.enabled).toBe(false);
    expect((await api.call('DELETE', `/api/folders/${top.id}/hooks/${created.body.id}`)).body).toEqual({ id: created.body.id, deleted: true });
    expect((await api.call('GET', `/api/folders/${sub.id}/hooks`)).body.items).toEqual([]);
    await api.call('DELETE', `/api/sessions/${s.id}`);
  });

  it('refuses what is not an argv, an unknown event or a timeout out of range', async () => {
    const f = (await api.call('POST', '/api/folders', { name: 'h-bad' })).body;
    for (const body of [
      { name: 'x', events: ['created'], argv: 'npm test' },
      { name: 'x', events: ['created'], argv: [] },
      { name: 'x', events: ['created'], argv: [''] },
      { name: 'x', events: ['rebooted'], argv: ['true'] },
      { name: 'x', events: [], argv: ['true'] },
      { name: 'x', events: ['created'], argv: ['true'], timeoutMs: 10 },
      { name: 'x', events: ['created'], argv: ['a\u0000b'] },
    ]) {
      const r = await api.call('POST', `/api/folders/${f.id}/hooks`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('invalid_input');
    }
  });

  it("keeps another user's folder hooks unreachable", async () => {
    const serviceToken = readFileSync(join(api.home, 'server', 'service-token'), 'utf8').trim();
    const other = await socketRequest<any>(api.socket, '/api/auth/resolve-user', { method: 'POST', body: { email: 'trudy@example.com' }, headers: { 'x-rdv-service-token': serviceToken } });
    const asOther = (method: string, path: string, body?: unknown) =>
      socketRequest<any>(api.socket, path, { method, body, headers: { 'x-rdv-service-token': serviceToken, 'x-rdv-user-id': other.body.id } });
    const f = (await api.call('POST', '/api/folders', { name: 'h-private' })).body;
    const h = (await api.call('POST', `/api/folders/${f.id}/hooks`, { name: 'mine', events: ['closed'], argv: ['true'] })).body;
    for (const [method, path, body] of [
      ['GET', `/api/folders/${f.id}/hooks`],
      ['POST', `/api/folders/${f.id}/hooks`, { name: 'planted', events: ['created'], argv: ['true'] }],
      ['PATCH', `/api/folders/${f.id}/hooks/${h.id}`, { argv: ['sh', '-c', 'echo pwned'] }],
      ['DELETE', `/api/folders/${f.id}/hooks/${h.id}`],
      ['GET', `/api/folders/${f.id}/hooks/${h.id}/runs`],
    ] as Array<[string, string, unknown?]>) {
      expect((await asOther(method, path, body)).status, `${method} ${path}`).toBe(404);
    }
    expect((await api.call('GET', `/api/folders/${f.id}/hooks`)).body.items.map((x: any) => x.argv)).toEqual([['true']]);
  });

  it('runs waiting_for_input and turn_finished hooks from an agent\'s own hook events', async () => {
    const f = (await api.call('POST', '/api/folders', { name: 'h-agent' })).body;
    const record = ['sh', '-c', 'cat >/dev/null; echo "$RDV_HOOK_EVENT"'];
    const waiting = (await api.call('POST', `/api/folders/${f.id}/hooks`, { name: 'waiting', events: ['waiting_for_input'], argv: record })).body;
    const finished = (await api.call('POST', `/api/folders/${f.id}/hooks`, { name: 'finished', events: ['turn_finished'], argv: record })).body;
    const started = fakes.entries().filter((e) => e.started).length;
    const s = (await api.call('POST', '/api/sessions', { name: 'h-claude', kind: 'agent', agent: 'claude', folderId: f.id, env: fakes.env })).body;
    await waitFor(() => fakes.entries().filter((e) => e.started).length > started, 'the fake agent', 15_000);
    const token = execFileSync('tmux', ['-L', api.tmuxSocket, 'show-environment', '-t', `rdv-${s.id}`, 'RDV_HOOK_TOKEN'], { encoding: 'utf8' }).trim().split('=')[1]!;
    const post = (event: Record<string, unknown>) => api.as(token)('POST', `/api/sessions/${s.id}/agent-events`, { agent: 'claude', event });
    const runsOf = (hookId: string) => async () => (await api.call('GET', `/api/folders/${f.id}/hooks/${hookId}/runs`)).body.items;

    await post({ hook_event_name: 'Notification', notification_type: 'permission_prompt', message: 'Bash: rm -rf "$(x)"' });
    const [w] = await waitFor(async () => ((await runsOf(waiting.id)()).length ? runsOf(waiting.id)() : null), 'the waiting hook', 15_000);
    expect(w).toMatchObject({ sessionId: s.id, event: 'waiting_for_input', exitCode: 0, stdout: 'waiting_for_input\n' });
    await post({ hook_event_name: 'Stop', last_assistant_message: 'done' });
    const [t] = await waitFor(async () => ((await runsOf(finished.id)()).length ? runsOf(finished.id)() : null), 'the turn-finished hook', 15_000);
    expect(t).toMatchObject({ sessionId: s.id, event: 'turn_finished', exitCode: 0, stdout: 'turn_finished\n' });
    await api.call('DELETE', `/api/sessions/${s.id}`);
  });
});
