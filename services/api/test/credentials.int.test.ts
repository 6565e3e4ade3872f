// Who may manage credentials: CLI tokens (and the browser) may; API keys, which agents hold,
// may not. What a credential opened ends with it; browser sign-ins are kept server side.
import { request } from 'node:http';
import { join } from 'node:path';
import { openDb } from '@rdv/core/db';
import { describe, expect, it } from 'vitest';
import { useApi } from './helpers.js';

const api = await useApi();

/** Opens /api/events with a token; `ended` resolves (with the time) when the server closes it. */
function openStream(token: string) {
  return new Promise<{ ended: Promise<number>; destroy(): void }>((resolve, reject) => {
    const req = request({ socketPath: api.socket, path: '/api/events', headers: { authorization: `Bearer ${token}` } });
    req.on('response', (res) => {
      if (res.statusCode !== 200) return reject(new Error(`events answered ${res.statusCode}`));
      const ended = new Promise<number>((r) => res.on('close', () => r(Date.now())));
      res.resume();
      resolve({ ended, destroy: () => req.destroy() });
    });
    req.on('error', () => {
      // Destroyed by the test, or closed by the server: `ended` tells which.
    });
    req.end();
  });
}

describe('API keys are for agents', () => {
  it('refuses an API key every way of creating or revoking a credential or minting a login link (403, use a CLI token)', async () => {
    const key = (await api.call('POST', '/api/tokens', { name: 'agent', kind: 'api_key' })).body;
    const asKey = api.as(key.token);
    const ownerTokenId = (await api.call('GET', '/api/auth/me')).body.auth.tokenId;
    const attempts: Array<[string, string, unknown?]> = [
      ['POST', '/api/tokens', { name: 'minted', kind: 'cli' }],
      ['POST', '/api/tokens', { name: 'minted-key', kind: 'api_key' }],
      ['POST', '/api/tokens', { name: 'forever' }],
      ['DELETE', `/api/tokens/${ownerTokenId}`],
      ['DELETE', `/api/tokens/${key.id}`],
      ['POST', '/api/tokens/service/rotate'],
      ['POST', '/api/auth/login-links', {}],
    ];
    for (const [method, path, body] of attempts) {
      const res = await asKey(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/API keys are for agents.*CLI token/) });
    }
    // Nothing was made or changed: the owner's token still works, only the two tokens exist.
    const tokens = (await api.call('GET', '/api/tokens')).body.items;
    expect(tokens.map((t: any) => t.name).sort()).toEqual(['agent', 'owner-cli']);
    expect(tokens.every((t: any) => t.revokedAt === null)).toBe(true);
    // The key still does what agents need.
    expect((await asKey('GET', '/api/sessions')).status).toBe(200);
    expect((await asKey('GET', '/api/tokens')).status).toBe(200);
    const denied = (await api.call('GET', '/api/audit?limit=50')).body.items.filter((a: any) => a.action === 'credentials' && a.outcome === 'denied');
    expect(denied).toHaveLength(attempts.length);
  });

  it('lets a CLI token manage credentials, and lists what each kind may do', async () => {
    const cli = (await api.call('POST', '/api/tokens', { name: 'laptop' })).body;
    const key = (await api.as(cli.token)('POST', '/api/tokens', { name: 'cursor', kind: 'api_key' })).body;
    expect(key.kind).toBe('api_key');
    expect((await api.as(cli.token)('POST', '/api/auth/login-links', {})).status).toBe(201);
    const items = (await api.call('GET', '/api/tokens')).body.items;
    expect(items.find((t: any) => t.name === 'cursor').may).toMatch(/never tokens, keys or login links/);
    expect(items.find((t: any) => t.name === 'laptop').may).toMatch(/including managing tokens/);
    expect((await api.as(cli.token)('DELETE', `/api/tokens/${key.id}`)).status).toBe(200);
  });
});

describe('revocation reaches open event streams', () => {
  it('closes a stream at once when its token is revoked through the api, and leaves other streams open', async () => {
    const token = (await api.call('POST', '/api/tokens', { name: 'streamer', kind: 'api_key' })).body;
    const doomed = await openStream(token.token);
    const kept = await openStream(api.ownerToken);
    const at = Date.now();
    expect((await api.call('DELETE', `/api/tokens/${token.id}`)).status).toBe(200);
    expect((await doomed.ended) - at).toBeLessThan(1000);
    const stillOpen = await Promise.race([kept.ended.then(() => 'closed'), new Promise((r) => setTimeout(() => r('open'), 1500))]);
    expect(stillOpen).toBe('open');
    kept.destroy();
  });

  it('closes a stream when its token is revoked by another process or expires', async () => {
    const a = (await api.call('POST', '/api/tokens', { name: 'elsewhere' })).body;
    const b = (await api.call('POST', '/api/tokens', { name: 'expiring', expiresInDays: 1 })).body;
    const sa = await openStream(a.token);
    const sb = await openStream(b.token);
    const db = openDb({ path: join(api.home, 'sqlite.db') });
    try {
      db.sqlite.prepare('update tokens set revoked_at = ? where id = ?').run(Date.now(), a.id);
      db.sqlite.prepare('update tokens set expires_at = ? where id = ?').run(Date.now() + 500, b.id);
    } finally {
      db.dispose();
    }
    const at = Date.now();
    expect((await sa.ended) - at).toBeLessThan(3000);
    expect((await sb.ended) - at).toBeLessThan(3500);
  });
});

describe('browser sign-ins', () => {
  it('are made by the edge, listed, and revocable by a CLI token but not by an API key', async () => {
    const made = await api.edge('/sessions', { userId: api.ownerId, userAgent: 'TestBrowser/1.0' });
    expect(made.status).toBe(201);
    expect((await api.edge('/sessions/check', { secret: made.body.secret })).body).toEqual({ sessionId: made.body.id, userId: api.ownerId });
    const listed = (await api.call('GET', '/api/auth/sessions')).body.items;
    expect(listed.find((s: any) => s.id === made.body.id)).toMatchObject({ state: 'active', userAgent: 'TestBrowser/1.0' });
    expect(JSON.stringify(listed)).not.toContain(made.body.secret);

    const key = (await api.call('POST', '/api/tokens', { name: 'agent-2', kind: 'api_key' })).body.token;
    expect((await api.as(key)('DELETE', `/api/auth/sessions/${made.body.id}`)).status).toBe(403);
    expect((await api.edge('/sessions/check', { secret: made.body.secret })).status).toBe(200);

    expect((await api.call('DELETE', `/api/auth/sessions/${made.body.id}`)).body.state).toBe('revoked');
    expect((await api.call('DELETE', `/api/auth/sessions/${made.body.id}`)).status).toBe(200);
    expect((await api.edge('/sessions/check', { secret: made.body.secret })).status).toBe(401);
    expect((await api.edge('/sessions/active', { ids: [made.body.id] })).body.ids).toEqual([]);
  });

  it('end at sign-out; the edge routes refuse anything but the edge credential', async () => {
    const made = await api.edge('/sessions', { userId: api.ownerId });
    expect((await api.edge('/sessions/end', { secret: made.body.secret })).body).toEqual({ sessionId: made.body.id });
    expect((await api.edge('/sessions/check', { secret: made.body.secret })).status).toBe(401);
    expect((await api.call('POST', '/internal/edge/sessions', { userId: api.ownerId })).status).toBe(401);
  });
});

describe('audit', () => {
  it('records the command of a session created with a custom command, with who created it', async () => {
    const key = (await api.call('POST', '/api/tokens', { name: 'auditor', kind: 'api_key' })).body;
    const command = "sh -c 'echo audited-$((40+2))'";
    const created = await api.as(key.token)('POST', '/api/sessions', { name: 'custom', kind: 'agent', command });
    expect(created.status).toBe(201);
    await api.call('DELETE', `/api/sessions/${created.body.id}`);
    const row = (await api.call('GET', '/api/audit?limit=100')).body.items.find((a: any) => a.action === 'session.create' && a.target === created.body.id);
    expect(row).toMatchObject({ outcome: 'ok', authMethod: 'api_key', tokenId: key.id, detail: { kind: 'agent', command } });
  });
});
