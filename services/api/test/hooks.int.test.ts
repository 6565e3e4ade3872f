import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { socketRequest } from '@rdv/core/lifecycle';
import { waitFor } from '@rdv/core/testing';
import { useApi } from './helpers.js';

const api = await useApi();

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
});
