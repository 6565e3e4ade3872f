// Forged credentials on every door — the web edge (Cloudflare mode), api.sock, terminal.sock
// and `rdv mcp` over stdio: bad signatures, alg none, HS256 keyed with the public key, wrong
// aud or iss, expired, nbf ahead, unknown kid, the JWKS server down, forged X-RDV-* headers,
// revoked and expired tokens, another user's ids. Every one is refused.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { EDGE_CREDENTIAL_HEADER, edgeCredential } from '@rdv/core/auth';
import { socketRequest } from '@rdv/core/lifecycle';
import { openDb } from '@rdv/core/db';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AUD, TEAM, forgeries, useAccess } from './access.js';
import { REPO, report, useSoakStack } from './harness.js';

const access = await useAccess();
const stack = await useSoakStack({
  RDV_CF_TEAM_DOMAIN: TEAM,
  RDV_CF_AUD: AUD,
  RDV_CF_CERTS_URL: access.certsUrl,
  RDV_OWNER_EMAIL: 'ada@example.com',
  RDV_ALLOWED_EMAILS: 'grace@example.com',
  // Every forgery must meet its real refusal (401/403/404), not the failure throttle.
  RDV_RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '10000',
});
const serviceToken = readFileSync(join(stack.home, 'server', 'service-token'), 'utf8').trim();

const attempts: Array<{ door: string; what: string; refused: boolean; saw: string }> = [];
const record = (door: string, what: string, refused: boolean, saw: string) => attempts.push({ door, what, refused, saw });
afterAll(() => {
  const byDoor: Record<string, number> = {};
  for (const a of attempts) byDoor[a.door] = (byDoor[a.door] ?? 0) + 1;
  report('forged', { attempts: attempts.length, ...byDoor, refused: attempts.filter((a) => a.refused).length });
});

/** An upgrade: 'open', or what refused it (an HTTP status, or a close code). */
function upgrade(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const done = (what: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      resolve(what);
    };
    // Open and still open a moment later: it got in.
    ws.on('open', () => (timer = setTimeout(() => done('open'), 1500)));
    ws.on('close', (code) => done(`close ${code}`));
    ws.on('unexpected-response', (_req, res) => done(`http ${res.statusCode}`));
    ws.on('error', () => done('error'));
  });
}
const refusedUpgrade = (seen: string) => seen !== 'open' && !/^close 10(00|01)$/.test(seen);

const api = (path: string, o: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) =>
  socketRequest<any>(stack.apiSocket, path, { method: o.method ?? 'GET', headers: o.headers, body: o.body });

async function setUp() {
  const ada = (await stack.api<{ id: string }>('POST', '/api/sessions', { name: 'ada-secret', kind: 'shell' })).body.id;
  const graceJwt = await access.token('grace@example.com');
  const asGrace = (path: string, init: RequestInit = {}) => fetch(`${stack.url}${path}`, { ...init, headers: { 'cf-access-jwt-assertion': graceJwt, ...(init.headers as Record<string, string>) } });
  const graceId = ((await (await asGrace('/auth/whoami')).json()) as { userId: string }).userId;
  const mint = async (body: unknown) => ((await (await asGrace('/api/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { token: string }).token;
  const graceCli = await mint({ name: 'grace-cli' });
  const graceKey = await mint({ name: 'grace-key', kind: 'api_key' });
  const revoked = (await stack.api<{ id: string; token: string }>('POST', '/api/tokens', { name: 'revoked' })).body;
  await stack.api('DELETE', `/api/tokens/${revoked.id}`);
  const revokedKey = (await stack.api<{ id: string; token: string }>('POST', '/api/tokens', { name: 'revoked-key', kind: 'api_key' })).body;
  await stack.api('DELETE', `/api/tokens/${revokedKey.id}`);
  const expired = (await stack.api<{ id: string; token: string }>('POST', '/api/tokens', { name: 'expired', kind: 'api_key', expiresInDays: 1 })).body;
  const db = openDb({ path: join(stack.home, 'sqlite.db') });
  db.sqlite.prepare('update tokens set expires_at = ? where id = ?').run(Date.now() - 1000, expired.id);
  db.dispose();
  const ownerKey = (await stack.api<{ token: string }>('POST', '/api/tokens', { name: 'owner-key', kind: 'api_key' })).body.token;
  return { ada, graceJwt, graceId, graceCli, graceKey, revoked: revoked.token, revokedKey: revokedKey.token, expired: expired.token, ownerKey };
}
const ctx = await setUp();

describe('forged credentials', () => {
  it('the web edge refuses every forged, expired or misdirected Access token, and forged X-RDV-* headers', async () => {
    const valid = await access.token('ada@example.com');
    const tokens: Record<string, string> = {
      ...forgeries(access, valid),
      'wrong aud': await access.token('ada@example.com', { aud: 'another-app' }),
      'wrong iss': await access.token('ada@example.com', { iss: 'https://evil.cloudflareaccess.com' }),
      expired: await access.token('ada@example.com', { expSeconds: -120 }),
      'nbf ahead': await access.token('ada@example.com', { nbfSeconds: 600 }),
      'unknown kid': await access.token('ada@example.com', { kid: 'not-published', key: access.strangerKey }),
      'published kid, stranger key': await access.token('ada@example.com', { key: access.strangerKey }),
      'not admitted': await access.token('mallory@example.com'),
      'no email (a service token)': await access.token('', { claims: { common_name: 'svc' } }),
      empty: '',
    };
    for (const [what, token] of Object.entries(tokens)) {
      for (const via of ['header', 'cookie'] as const) {
        const headers = via === 'header' ? { 'cf-access-jwt-assertion': token } : { cookie: `CF_Authorization=${token}` };
        const res = await fetch(`${stack.url}/api/sessions`, { headers });
        record('edge', `${what} (${via})`, res.status === 401 || res.status === 403, String(res.status));
      }
      const seen = await upgrade(`ws://127.0.0.1:${stack.port}/ws/terminal/${ctx.ada}`, { 'cf-access-jwt-assertion': token });
      record('edge', `${what} (websocket)`, refusedUpgrade(seen), seen);
    }
    // Forged identity headers: with no token, and with grace's token claiming to be ada.
    const forgedIds = { 'x-rdv-service-token': serviceToken, 'x-rdv-user-id': (await stack.api('GET', '/api/auth/me')).body.user.id, [EDGE_CREDENTIAL_HEADER]: edgeCredential(serviceToken) };
    const bare = await fetch(`${stack.url}/api/sessions`, { headers: forgedIds });
    record('edge', 'X-RDV-* without a token', bare.status === 401, String(bare.status));
    const me = (await (await fetch(`${stack.url}/api/auth/me`, { headers: { ...forgedIds, 'cf-access-jwt-assertion': ctx.graceJwt } })).json()) as { user: { email: string } };
    record('edge', "X-RDV-* with grace's token", me.user.email === 'grace@example.com', me.user.email);
    for (const [method, path] of [['GET', `/api/sessions/${ctx.ada}`], ['DELETE', `/api/sessions/${ctx.ada}`], ['POST', `/api/sessions/${ctx.ada}/suspend`]]) {
      const res = await fetch(`${stack.url}${path!}`, { method, headers: { 'cf-access-jwt-assertion': ctx.graceJwt } });
      record('edge', `grace ${method} ada's session`, res.status === 404, String(res.status));
    }
    const theirs = await upgrade(`ws://127.0.0.1:${stack.port}/ws/terminal/${ctx.ada}`, { 'cf-access-jwt-assertion': ctx.graceJwt });
    record('edge', "grace attaching ada's session", theirs === 'close 4404', theirs);
    // The keys' server goes down: a token the cached keys cannot vouch for is refused.
    await access.stop();
    const unknown = await access.token('ada@example.com', { kid: 'soak-key-2', key: access.strangerKey });
    const down = await fetch(`${stack.url}/api/sessions`, { headers: { 'cf-access-jwt-assertion': unknown } });
    record('edge', 'JWKS server down, uncached kid', down.status === 401, String(down.status));
    expect(attempts.filter((a) => a.door === 'edge' && !a.refused)).toEqual([]);
  }, 120_000);

  it('api.sock refuses forged service tokens, forged edge credentials, bad, revoked and expired tokens, and other users\' ids', async () => {
    const adaId = (await stack.api('GET', '/api/auth/me')).body.user.id as string;
    const cases: Array<[string, string, { method?: string; headers?: Record<string, string>; body?: unknown }, number[]]> = [
      ['no credentials', '/api/sessions', {}, [401]],
      ['X-RDV-User-ID alone', '/api/sessions', { headers: { 'x-rdv-user-id': adaId } }, [401]],
      ['random service token', '/api/sessions', { headers: { 'x-rdv-service-token': 'A'.repeat(43), 'x-rdv-user-id': adaId } }, [401]],
      ['edge credential as service token', '/api/sessions', { headers: { 'x-rdv-service-token': edgeCredential(serviceToken), 'x-rdv-user-id': adaId } }, [401]],
      ['edge route, no credential', '/internal/edge/resolve-user', { method: 'POST', body: { owner: true } }, [401]],
      ['edge route, service token', '/internal/edge/resolve-user', { method: 'POST', body: { owner: true }, headers: { 'x-rdv-service-token': serviceToken, 'x-rdv-user-id': adaId } }, [401]],
      ['edge route, service token as edge credential', '/internal/edge/resolve-user', { method: 'POST', body: { owner: true }, headers: { [EDGE_CREDENTIAL_HEADER]: serviceToken } }, [401]],
      ['edge route, credential of another token', '/internal/edge/login-links', { method: 'POST', body: { userId: adaId }, headers: { [EDGE_CREDENTIAL_HEADER]: edgeCredential('B'.repeat(43)) } }, [401]],
      ['garbage bearer', '/api/sessions', { headers: { authorization: 'Bearer rdv_cli_garbage' } }, [401]],
      ['revoked CLI token', '/api/sessions', { headers: { authorization: `Bearer ${ctx.revoked}` } }, [401]],
      ['expired API key', '/api/sessions', { headers: { authorization: `Bearer ${ctx.expired}` } }, [401]],
      ['an Access JWT as bearer', '/api/sessions', { headers: { authorization: `Bearer ${ctx.graceJwt}` } }, [401]],
      ['the service token as bearer', '/api/sessions', { headers: { authorization: `Bearer ${serviceToken}` } }, [401]],
      ['basic auth', '/api/sessions', { headers: { authorization: `Basic ${Buffer.from(`x:${stack.ownerToken}`).toString('base64')}` } }, [401]],
      ['API key minting a CLI token', '/api/tokens', { method: 'POST', body: { name: 'x' }, headers: { authorization: `Bearer ${ctx.ownerKey}` } }, [403]],
      ['API key minting a login link', '/api/auth/login-links', { method: 'POST', body: {}, headers: { authorization: `Bearer ${ctx.ownerKey}` } }, [403]],
      ['API key rotating the service token', '/api/tokens/service/rotate', { method: 'POST', headers: { authorization: `Bearer ${ctx.ownerKey}` } }, [403]],
    ];
    for (const [method, path] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['POST', '/exec'], ['GET', '/scrollback']] as const) {
      const body = method === 'PATCH' ? { name: 'stolen' } : path === '/exec' ? { command: 'id' } : undefined;
      cases.push([`grace ${method} ada's session${path}`, `/api/sessions/${ctx.ada}${path}`, { method, body, headers: { authorization: `Bearer ${ctx.graceCli}` } }, [404]]);
    }
    for (const [what, path, o, expected] of cases) {
      const res = await api(path, o);
      record('api.sock', what, expected.includes(res.status), String(res.status));
    }
    expect((await stack.api('GET', `/api/sessions/${ctx.ada}`)).body.name).toBe('ada-secret');
    expect(attempts.filter((a) => a.door === 'api.sock' && !a.refused)).toEqual([]);
  });

  it('terminal.sock refuses the same forgeries at the upgrade, and another user\'s session', async () => {
    const adaId = (await stack.api('GET', '/api/auth/me')).body.user.id as string;
    const url = `ws+unix://${stack.terminalSocket}:/ws/terminal/${ctx.ada}`;
    const cases: Array<[string, Record<string, string>]> = [
      ['no credentials', {}],
      ['X-RDV-User-ID alone', { 'x-rdv-user-id': adaId }],
      ['random service token', { 'x-rdv-service-token': 'A'.repeat(43), 'x-rdv-user-id': adaId }],
      ['edge credential as service token', { 'x-rdv-service-token': edgeCredential(serviceToken), 'x-rdv-user-id': adaId }],
      ['garbage bearer', { authorization: 'Bearer rdv_key_garbage' }],
      ['revoked API key', { authorization: `Bearer ${ctx.revokedKey}` }],
      ['expired API key', { authorization: `Bearer ${ctx.expired}` }],
      ['an Access JWT as bearer', { authorization: `Bearer ${ctx.graceJwt}` }],
      ["grace's CLI token on ada's session", { authorization: `Bearer ${ctx.graceCli}` }],
      ["grace's API key on ada's session", { authorization: `Bearer ${ctx.graceKey}` }],
      ["the service token with grace's id on ada's session", { 'x-rdv-service-token': serviceToken, 'x-rdv-user-id': ctx.graceId }],
    ];
    for (const [what, headers] of cases) {
      const seen = await upgrade(url, headers);
      record('terminal.sock', what, /^http 40[134]$/.test(seen), seen);
    }
    expect(attempts.filter((a) => a.door === 'terminal.sock' && !a.refused)).toEqual([]);
  });

  it('rdv mcp over stdio refuses forged, revoked and expired API keys, and another user\'s ids', async () => {
    const session = async (key: string, tool: string, args: Record<string, unknown>) => {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [join(REPO, 'packages/cli/dist/main.js'), 'mcp'],
        env: { PATH: process.env.PATH ?? '', HOME: stack.home, RDV_HOME: stack.home, RDV_API_KEY: key, RDV_LOG_LEVEL: 'silent' },
        stderr: 'ignore',
      });
      const client = new Client({ name: 'rdv-soak', version: '1.0.0' });
      await client.connect(transport);
      try {
        return (await client.callTool({ name: tool, arguments: args })) as { isError?: boolean; content: Array<{ text: string }> };
      } finally {
        await client.close();
      }
    };
    const cases: Array<[string, string, string, Record<string, unknown>]> = [
      ['forged key', 'rdv_key_forged', 'session_list', {}],
      ['revoked key', ctx.revokedKey, 'session_list', {}],
      ['expired key', ctx.expired, 'session_list', {}],
      ['the service token', serviceToken, 'session_list', {}],
      ["grace's key on ada's session", ctx.graceKey, 'session_get', { sessionId: ctx.ada }],
      ["grace's key closing ada's session", ctx.graceKey, 'session_close', { sessionId: ctx.ada }],
    ];
    for (const [what, key, tool, args] of cases) {
      const result = await session(key, tool, args);
      record('mcp', what, result.isError === true, result.content[0]?.text.slice(0, 80) ?? '');
    }
    expect((await session(ctx.ownerKey, 'session_list', {})).isError).toBeFalsy();
    expect((await stack.api('GET', `/api/sessions/${ctx.ada}`)).body.status).toBe('active');
    expect(attempts.filter((a) => a.door === 'mcp' && !a.refused)).toEqual([]);
  }, 120_000);
});
