import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { socketRequest } from '@rdv/core/lifecycle';
import { waitFor } from '@rdv/core/testing';
import { openSse, rawPost, useApi } from './helpers.js';

const api = await useApi({ RDV_ALLOWED_EMAILS: 'mallory@example.com' });
const mode = (p: string) => statSync(p).mode & 0o777;
const tmuxLs = () => {
  try {
    return execFileSync('tmux', ['-L', api.tmuxSocket, 'ls', '-F', '#{session_name}'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

describe('api over its unix socket', () => {
  it('keeps its files private', () => {
    expect(mode(join(api.home, 'run'))).toBe(0o700);
    expect(mode(api.socket)).toBe(0o600);
    expect(mode(join(api.home, 'server'))).toBe(0o700);
    expect(mode(join(api.home, 'server', 'service-token'))).toBe(0o600);
    expect(mode(join(api.home, 'cli-token'))).toBe(0o600);
    expect(readFileSync(join(api.home, 'server', 'api.pid'), 'utf8').trim()).toBe(String(process.pid));
  });

  it('reports health without credentials', async () => {
    const r = await socketRequest<any>(api.socket, '/health');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'healthy', components: { database: true, tmux: true }, version: '0.1.0' });
  });

  it('says who is calling', async () => {
    const r = await api.call('GET', '/api/auth/me');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ user: { id: api.ownerId, isOwner: true }, auth: { method: 'cli' } });
  });

  it('creates a shell session, runs a command in it and reads the output back', async () => {
    const created = await api.call('POST', '/api/sessions', { name: 'first', kind: 'shell' });
    expect(created.status).toBe(201);
    const s = created.body;
    expect(tmuxLs()).toContain(`rdv-${s.id}`);
    const exec = await api.call('POST', `/api/sessions/${s.id}/exec`, { command: 'echo "sum=$((40+2))"' });
    expect(exec.status).toBe(200);
    expect(exec.body).toEqual({ sessionId: s.id, sent: true });
    const sb = await waitFor(async () => {
      const r = await api.call('GET', `/api/sessions/${s.id}/scrollback?lines=50`);
      return r.body.text?.includes('sum=42') ? r : null;
    }, 'scrollback with the echo');
    expect(sb.status).toBe(200);
    const list = await api.call('GET', '/api/sessions');
    expect(list.body.items.map((x: any) => x.id)).toContain(s.id);
    const names = list.body.items.map((x: any) => x.tmuxName).sort();
    expect(tmuxLs().filter((n) => n.startsWith('rdv-')).sort()).toEqual(names);
  });

  it('answers the session list from its cache until something is written, with an entity tag for conditional requests', async () => {
    const created = await api.call<any>('POST', '/api/sessions', { name: 'cached', kind: 'shell' });
    const first = await api.call<any>('GET', '/api/sessions');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/"/);
    expect(first.body.items.map((x: any) => x.id)).toContain(created.body.id);
    expect((await api.call('GET', '/api/sessions', undefined, { 'if-none-match': etag })).status).toBe(304);
    // Another filter is another entry, not the open list's answer.
    expect((await api.call<any>('GET', '/api/sessions?status=all')).body.items.length).toBeGreaterThanOrEqual(first.body.items.length);
    await api.call('PATCH', `/api/sessions/${created.body.id}`, { name: 'cached-renamed' });
    const after = await api.call<any>('GET', '/api/sessions', undefined, { 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect(after.headers.etag).not.toBe(etag);
    expect(after.body.items.find((x: any) => x.id === created.body.id).name).toBe('cached-renamed');
    await api.call('DELETE', `/api/sessions/${created.body.id}`);
    expect((await api.call<any>('GET', '/api/sessions')).body.items.map((x: any) => x.id)).not.toContain(created.body.id);
  });

  it('renames, moves, suspends, resumes and closes (idempotently)', async () => {
    const s = (await api.call('POST', '/api/sessions', { name: 'lifecycle', kind: 'shell' })).body;
    const folder = (await api.call('POST', '/api/folders', { name: 'Projects' })).body;
    expect((await api.call('PATCH', `/api/sessions/${s.id}`, { name: 'renamed' })).body.name).toBe('renamed');
    expect((await api.call('PUT', `/api/sessions/${s.id}/folder`, { folderId: folder.id })).body.folderId).toBe(folder.id);
    expect((await api.call('POST', `/api/sessions/${s.id}/suspend`)).body.status).toBe('suspended');
    const refused = await api.call('POST', `/api/sessions/${s.id}/exec`, { command: 'true' });
    expect(refused.status).toBe(409);
    expect((await api.call('POST', `/api/sessions/${s.id}/resume`)).body.status).toBe('active');
    const closed = await api.call('DELETE', `/api/sessions/${s.id}`);
    expect(closed.body.status).toBe('closed');
    expect(tmuxLs()).not.toContain(`rdv-${s.id}`);
    expect((await api.call('DELETE', `/api/sessions/${s.id}`)).status).toBe(200);
    expect((await api.call('GET', '/api/sessions?status=closed')).body.items.map((x: any) => x.id)).toContain(s.id);
    const reorder = await api.call('POST', '/api/sessions/reorder', { ids: [s.id] });
    expect(reorder.status).toBe(200);
  });

  it('rejects bad input with a readable message and changes nothing', async () => {
    const before = tmuxLs().length;
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['POST', '/api/sessions', { name: 5, kind: 'shell' }, /name: /],
      ['POST', '/api/sessions', { name: '../../etc/passwd', kind: 'shell' }, /name: must start with a letter or digit/],
      ['POST', '/api/sessions', { name: 'x; rm -rf ~', kind: 'shell' }, /name: /],
      ['POST', '/api/sessions', { name: '$(reboot)', kind: 'shell' }, /name: /],
      ['POST', '/api/sessions', { name: 'ok', kind: 'vm' }, /kind: /],
      ['POST', '/api/sessions', { name: 'ok', kind: 'shell', cwd: 'relative/dir' }, /cwd: must be an absolute path/],
      ['POST', '/api/sessions', { name: 'ok', kind: 'shell', cwd: '/no/such/dir' }, /cwd: \/no\/such\/dir does not exist/],
      ['POST', '/api/sessions', { name: 'ok', kind: 'shell', evil: true }, /unknown field\(s\): evil/],
      ['POST', '/api/sessions', { name: 'ok', kind: 'shell', env: { TMUX: 'x' } }, /reserved/],
      ['POST', '/api/folders', { name: '' }, /name: /],
      ['GET', '/api/sessions?status=weird', undefined, /status/],
    ];
    for (const [method, path, body, message] of cases) {
      const r = await api.call(method, path, body);
      expect(r.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(r.body.error.code).toBe('invalid_input');
      expect(r.body.error.message).toMatch(message);
    }
    const s = (await api.call('POST', '/api/sessions', { name: 'victim', kind: 'shell' })).body;
    const ctl = await api.call('POST', `/api/sessions/${s.id}/exec`, { command: 'echo a\necho b' });
    expect(ctl.status).toBe(400);
    expect(ctl.body.error.message).toMatch(/single line/);
    const badJson = await rawPost(api.socket, '/api/sessions', '{"name": "x", ', api.ownerToken);
    expect(badJson.status).toBe(400);
    expect(JSON.parse(badJson.text)).toEqual({ error: { code: 'invalid_input', message: 'body: not valid JSON' } });
    expect(tmuxLs().length).toBe(before + 1);
  });

  it('refuses an agent session whose command is not installed, naming the command', async () => {
    const before = tmuxLs().length;
    const missing = `rdv-missing-agent-${process.pid}`;
    const r = await api.call('POST', '/api/sessions', { name: 'ghost', kind: 'agent', agent: 'custom', command: `${missing} --go` });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: { code: 'invalid_input', message: `"${missing}" is not installed here (not found on PATH); install it or pick another agent` } });
    expect(tmuxLs().length).toBe(before);
    expect((await api.call('GET', '/api/sessions?status=all')).body.items.some((s: { name: string }) => s.name === 'ghost')).toBe(false);
  });

  it('answers 404 for unknown ids and routes', async () => {
    for (const path of ['/api/sessions/00000000-0000-4000-8000-000000000000', '/api/sessions/not-an-id', '/api/folders/nope', '/api/nothing']) {
      const r = await api.call('GET', path);
      expect(r.status, path).toBe(404);
      expect(r.body.error.code).toBe('not_found');
    }
  });

  it('refuses missing, bad and revoked credentials', async () => {
    const none = await socketRequest<any>(api.socket, '/api/sessions');
    expect(none.status).toBe(401);
    expect(none.body.error.message).toMatch(/missing credentials/);
    expect((await api.as('rdv_cli_forged')('GET', '/api/sessions')).status).toBe(401);
    expect((await socketRequest<any>(api.socket, '/api/sessions', { headers: { authorization: 'Basic abc' } })).status).toBe(401);
    const created = await api.call('POST', '/api/tokens', { name: 'temp', kind: 'cli' });
    expect(created.status).toBe(201);
    const secret = created.body.token as string;
    expect((await api.as(secret)('GET', '/api/sessions')).status).toBe(200);
    const listed = await api.call('GET', '/api/tokens');
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(listed.body.items.find((t: any) => t.id === created.body.id)).toMatchObject({ name: 'temp', kind: 'cli', revokedAt: null });
    expect((await api.call('DELETE', `/api/tokens/${created.body.id}`)).body.revokedAt).not.toBeNull();
    expect((await api.call('DELETE', `/api/tokens/${created.body.id}`)).status).toBe(200);
    const revoked = await api.as(secret)('GET', '/api/sessions');
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.message).toMatch(/revoked/);
  });

  it('accepts the service token with a user id, and nothing less', async () => {
    const serviceToken = readFileSync(join(api.home, 'server', 'service-token'), 'utf8').trim();
    const ok = await socketRequest<any>(api.socket, '/api/auth/me', {
      headers: { 'x-rdv-service-token': serviceToken, 'x-rdv-user-id': api.ownerId },
    });
    expect(ok.body).toMatchObject({ user: { id: api.ownerId }, auth: { method: 'service' } });
    const noUser = await socketRequest<any>(api.socket, '/api/auth/me', { headers: { 'x-rdv-service-token': serviceToken } });
    expect(noUser.status).toBe(401);
    const wrong = await socketRequest<any>(api.socket, '/api/auth/me', {
      headers: { 'x-rdv-service-token': 'x'.repeat(43), 'x-rdv-user-id': api.ownerId },
    });
    expect(wrong.status).toBe(401);
    // The edge's own route needs the edge-only credential: neither a CLI token nor the service token will do.
    expect((await api.call('POST', '/internal/edge/resolve-user', { owner: true })).status).toBe(401);
    const withServiceToken = await socketRequest<any>(api.socket, '/internal/edge/resolve-user', {
      method: 'POST',
      body: { owner: true },
      headers: { 'x-rdv-service-token': serviceToken, 'x-rdv-user-id': api.ownerId },
    });
    expect(withServiceToken.status).toBe(401);
    expect((await api.edge('/resolve-user', { owner: true })).body.id).toBe(api.ownerId);
  });

  it("never shows one user another user's sessions, folders or tokens", async () => {
    const serviceToken = readFileSync(join(api.home, 'server', 'service-token'), 'utf8').trim();
    const other = await api.edge('/resolve-user', { email: 'mallory@example.com' });
    expect(other.body.isOwner).toBe(false);
    const asOther = (method: string, path: string, body?: unknown) =>
      socketRequest<any>(api.socket, path, { method, body, headers: { 'x-rdv-service-token': serviceToken, 'x-rdv-user-id': other.body.id } });
    const s = (await api.call('POST', '/api/sessions', { name: 'private', kind: 'shell' })).body;
    const f = (await api.call('POST', '/api/folders', { name: 'secret' })).body;
    const t = (await api.call('POST', '/api/tokens', { name: 'mine' })).body;
    expect((await asOther('GET', '/api/sessions')).body.items).toEqual([]);
    expect((await asOther('GET', '/api/folders')).body.items).toEqual([]);
    for (const [method, path, body] of [
      ['GET', `/api/sessions/${s.id}`],
      ['PATCH', `/api/sessions/${s.id}`, { name: 'stolen' }],
      ['POST', `/api/sessions/${s.id}/exec`, { command: 'echo pwned' }],
      ['GET', `/api/sessions/${s.id}/scrollback`],
      ['DELETE', `/api/sessions/${s.id}`],
      ['PUT', `/api/sessions/${s.id}/folder`, { folderId: null }],
      ['GET', `/api/folders/${f.id}`],
      ['GET', `/api/folders/${f.id}/context`],
      ['DELETE', `/api/tokens/${t.id}`],
    ] as Array<[string, string, unknown?]>) {
      expect((await asOther(method, path, body)).status, `${method} ${path}`).toBe(404);
    }
    expect((await asOther('POST', '/api/sessions', { name: 'theirs', kind: 'shell', folderId: f.id })).status).toBe(404);
    expect((await api.call('GET', `/api/sessions/${s.id}`)).body).toMatchObject({ name: 'private', status: 'active' });
  });

  it('serves folders, context and inherited preferences', async () => {
    const prefs = await api.call('PATCH', '/api/preferences', { defaultCwd: api.home, env: { FROM: 'user' } });
    expect(prefs.body).toMatchObject({ defaultCwd: api.home, env: { FROM: 'user' } });
    const parent = (await api.call('POST', '/api/folders', { name: 'parent', env: { LEVEL: 'parent' } })).body;
    const child = (await api.call('POST', '/api/folders', { name: 'child', parentId: parent.id, defaultAgent: 'codex' })).body;
    const s = (await api.call('POST', '/api/sessions', { name: 'in-child', kind: 'shell', folderId: child.id })).body;
    expect(s.cwd).toBe(api.home);
    const ctx = await api.call('GET', `/api/folders/${child.id}/context`);
    expect(ctx.body).toMatchObject({
      folder: { id: child.id },
      ancestors: [{ id: parent.id }],
      sessions: [{ id: s.id }],
      preferences: { defaultCwd: api.home, defaultAgent: 'codex', env: { FROM: 'user', LEVEL: 'parent' } },
    });
    expect((await api.call('GET', `/api/folders/${parent.id}/children`)).body.items.map((x: any) => x.id)).toEqual([child.id]);
    const sibling = (await api.call('POST', '/api/folders', { name: 'sibling', parentId: parent.id })).body;
    const ordered = await api.call('POST', '/api/folders/reorder', { parentId: parent.id, ids: [sibling.id, child.id] });
    expect(ordered.body.items.map((x: any) => x.name)).toEqual(['sibling', 'child']);
    const cycle = await api.call('PATCH', `/api/folders/${parent.id}`, { parentId: child.id });
    expect(cycle.status).toBe(400);
    const del = await api.call('DELETE', `/api/folders/${child.id}`);
    expect(del.body).toMatchObject({ deleted: true, movedSessions: 1 });
    expect((await api.call('GET', `/api/sessions/${s.id}`)).body.folderId).toBe(parent.id);
    expect((await api.call('DELETE', `/api/folders/${child.id}`)).body.deleted).toBe(false);
  });

  it('streams events and resumes from Last-Event-ID', async () => {
    const live = openSse(api.socket, api.ownerToken);
    await waitFor(() => live.status() === 200, 'sse connected');
    const s = (await api.call('POST', '/api/sessions', { name: 'evented', kind: 'shell' })).body;
    const created = await waitFor(() => live.events.find((e) => e.event === 'session.created' && e.data.data.session.id === s.id), 'created event');
    live.close();
    await api.call('PATCH', `/api/sessions/${s.id}`, { name: 'evented2' });
    await api.call('DELETE', `/api/sessions/${s.id}`);
    const resumed = openSse(api.socket, api.ownerToken, Number(created.id));
    await waitFor(() => resumed.events.some((e) => e.event === 'session.closed'), 'replayed events');
    expect(resumed.events.map((e) => e.event)).toEqual(['session.updated', 'session.closed']);
    expect(Number(resumed.events[0]!.id)).toBeGreaterThan(Number(created.id));
    resumed.close();
  });

  it('publishes an OpenAPI document generated from the schemas', async () => {
    const r = await socketRequest<any>(api.socket, '/api/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.0.3');
    const create = r.body.paths['/api/sessions'].post;
    expect(create.requestBody.content['application/json'].schema.properties.name).toBeDefined();
    expect(Object.keys(r.body.paths)).toEqual(expect.arrayContaining(['/api/sessions/{id}/exec', '/api/folders/{id}/context', '/api/tokens', '/api/events', '/health']));
  });

  it('writes audit rows for auth failures and sensitive operations, without secrets', async () => {
    const s = (await api.call('POST', '/api/sessions', { name: 'audited', kind: 'shell' })).body;
    await api.call('POST', `/api/sessions/${s.id}/exec`, { command: 'echo audited' });
    await api.as('rdv_cli_wrong')('GET', '/api/sessions');
    const r = await api.call('GET', '/api/audit?limit=200');
    const actions = r.body.items.map((x: any) => x.action);
    expect(actions).toEqual(expect.arrayContaining(['session.exec', 'session.create', 'auth']));
    expect(JSON.stringify(r.body)).not.toContain(api.ownerToken);
    const sqlite = execFileSync('sqlite3', [join(api.home, 'sqlite.db'), "select count(*) from audit_log where outcome='denied'"], { encoding: 'utf8' });
    expect(Number(sqlite.trim())).toBeGreaterThan(0);
  });
});
