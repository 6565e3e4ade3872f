import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { socketRequest } from '@rdv/core/lifecycle';
import { useApi } from './helpers.js';

const api = await useApi();

describe('/api/folders/:id/knowledge', () => {
  it('adds, lists with inheritance, searches, changes and deletes entries', async () => {
    const top = (await api.call('POST', '/api/folders', { name: 'k-top' })).body;
    const sub = (await api.call('POST', '/api/folders', { name: 'k-sub', parentId: top.id })).body;
    const created = await api.call('POST', `/api/folders/${top.id}/knowledge`, {
      title: 'Flaky test',
      body: 'The **pty** test is timing sensitive; re-run it once.',
      tags: ['Tests', 'tests'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ folderId: top.id, folderName: 'k-top', tags: ['tests'], author: { kind: 'user', sessionId: null }, inherited: false });
    await api.call('POST', `/api/folders/${sub.id}/knowledge`, { title: 'Sub only', body: 'pty size is 80x24' });

    const list = await api.call('GET', `/api/folders/${sub.id}/knowledge`);
    expect(list.body.items.map((e: any) => [e.title, e.inherited])).toEqual([['Flaky test', true], ['Sub only', false]]);
    expect((await api.call('GET', `/api/folders/${top.id}/knowledge`)).body.items).toHaveLength(1);

    const search = await api.call('GET', `/api/folders/${sub.id}/knowledge/search?q=${encodeURIComponent('pty timing')}`);
    expect(search.status).toBe(200);
    expect(search.body.items.map((h: any) => h.entry.title)).toEqual(['Flaky test']);
    expect(search.body.items[0].snippet).toMatch(/\*\*timing\*\*/);

    const doc = await api.call('GET', `/api/folders/${sub.id}/knowledge/document`);
    expect(doc.body).toMatchObject({ folderId: sub.id, entries: 2, truncated: false });
    expect(doc.body.markdown).toContain('### Flaky test');

    const id = created.body.id;
    expect((await api.call('PATCH', `/api/folders/${sub.id}/knowledge/${id}`, { title: 'x' })).status).toBe(409);
    const patched = await api.call('PATCH', `/api/folders/${top.id}/knowledge/${id}`, { title: 'Flaky pty test' });
    expect(patched.body.title).toBe('Flaky pty test');
    expect((await api.call('DELETE', `/api/folders/${top.id}/knowledge/${id}`)).body).toEqual({ id, deleted: true });
    expect((await api.call('DELETE', `/api/folders/${top.id}/knowledge/${id}`)).body).toEqual({ id, deleted: false });
    expect((await api.call('GET', `/api/folders/${sub.id}/knowledge/search?q=timing`)).body.items).toEqual([]);
  });

  it('validates input and records the writing session as the author', async () => {
    const f = (await api.call('POST', '/api/folders', { name: 'k-valid' })).body;
    const bad = await api.call('POST', `/api/folders/${f.id}/knowledge`, { title: 'line\nbreak' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_input');
    expect((await api.call('GET', `/api/folders/${f.id}/knowledge/search?q=`)).status).toBe(400);
    const s = (await api.call('POST', '/api/sessions', { name: 'k-writer', kind: 'shell', folderId: f.id })).body;
    const byAgent = await api.call('POST', `/api/folders/${f.id}/knowledge`, { title: 'From an agent', sessionId: s.id });
    expect(byAgent.body.author).toEqual({ kind: 'session', name: 'k-writer', sessionId: s.id });
    const note = await api.call('POST', `/api/sessions/${s.id}/notes`, { body: 'tried `make`; `npm run build` works' });
    expect(note.status).toBe(201);
    expect((await api.call('GET', `/api/sessions/${s.id}/notes`)).body.items.map((n: any) => n.body)).toEqual(['tried `make`; `npm run build` works']);
    await api.call('DELETE', `/api/sessions/${s.id}`);
  });

  it("keeps another user's folders, entries and sessions unreachable", async () => {
    const serviceToken = readFileSync(join(api.home, 'server', 'service-token'), 'utf8').trim();
    const other = await socketRequest<any>(api.socket, '/api/auth/resolve-user', {
      method: 'POST',
      body: { email: 'eve@example.com' },
      headers: { 'x-rdv-service-token': serviceToken },
    });
    const asOther = (method: string, path: string, body?: unknown) =>
      socketRequest<any>(api.socket, path, { method, body, headers: { 'x-rdv-service-token': serviceToken, 'x-rdv-user-id': other.body.id } });
    const f = (await api.call('POST', '/api/folders', { name: 'k-private' })).body;
    const e = (await api.call('POST', `/api/folders/${f.id}/knowledge`, { title: 'private thing' })).body;
    const s = (await api.call('POST', '/api/sessions', { name: 'k-private-s', kind: 'shell' })).body;
    const theirs = (await asOther('POST', '/api/folders', { name: 'theirs' })).body;
    for (const [method, path, body] of [
      ['GET', `/api/folders/${f.id}/knowledge`],
      ['POST', `/api/folders/${f.id}/knowledge`, { title: 'planted' }],
      ['GET', `/api/folders/${f.id}/knowledge/search?q=private`],
      ['GET', `/api/folders/${f.id}/knowledge/document`],
      ['GET', `/api/folders/${f.id}/knowledge/${e.id}`],
      ['PATCH', `/api/folders/${f.id}/knowledge/${e.id}`, { title: 'changed' }],
      ['DELETE', `/api/folders/${f.id}/knowledge/${e.id}`],
      ['POST', `/api/sessions/${s.id}/notes`, { body: 'planted' }],
      ['GET', `/api/sessions/${s.id}/notes`],
      // Their own folder, but claiming my session as the author.
      ['POST', `/api/folders/${theirs.id}/knowledge`, { title: 'as you', sessionId: s.id }],
    ] as Array<[string, string, unknown?]>) {
      expect((await asOther(method, path, body)).status, `${method} ${path}`).toBe(404);
    }
    expect((await api.call('GET', `/api/folders/${f.id}/knowledge`)).body.items.map((x: any) => x.title)).toEqual(['private thing']);
    await api.call('DELETE', `/api/sessions/${s.id}`);
  });
});
