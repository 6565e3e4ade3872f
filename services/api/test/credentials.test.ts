// Who may manage credentials: CLI tokens (and the browser) may; API keys, which agents hold, may not.
import { describe, expect, it } from 'vitest';
import { useApi } from './helpers.js';

const api = await useApi();

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
