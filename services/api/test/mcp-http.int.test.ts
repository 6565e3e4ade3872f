import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { openServiceTokenStore } from '@rdv/core/auth';
import { useApi } from './helpers.js';

const api = await useApi();
const agent = new Agent({ connect: { socketPath: api.socket } });
afterAll(() => agent.close());

/** An MCP client on api.sock's /mcp, with `token` as Bearer. */
async function connect(token: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL('http://rdv/mcp'), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
    fetch: (url, init) => undiciFetch(url, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>,
  });
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

describe('MCP over Streamable HTTP on api.sock', () => {
  it('lists the tools and resources of rdv mcp and runs tools with an API key', async () => {
    const created = await api.call('POST', '/api/tokens', { name: 'agent', kind: 'api_key' });
    expect(created.status).toBe(201);
    const client = await connect(created.body.token);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['session_list', 'session_create', 'folder_list', 'insight_list']));
      const made = await client.callTool({ name: 'session_create', arguments: { name: 'over-http', kind: 'shell' } });
      expect(made.isError).toBeFalsy();
      const listed = await client.callTool({ name: 'session_list', arguments: {} });
      expect(JSON.stringify(listed.content)).toContain('over-http');
      const resources = await client.listResources();
      expect(resources.resources.map((r) => r.uri)).toContain('rdv://sessions');
      // The tools called the api with the caller's key: the audit log names it.
      const audit = await api.call('GET', '/api/audit?limit=50');
      expect(audit.body.items.some((e: { tokenId: string | null }) => e.tokenId === created.body.id)).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('finds sessions and folders by name, and reports a missing one as a tool error', async () => {
    const folder = (await api.call('POST', '/api/folders', { name: 'by-name' })).body;
    const client = await connect(api.ownerToken);
    try {
      const context = await client.callTool({ name: 'folder_context', arguments: { folder: 'by-name' } });
      expect(context.isError).toBeFalsy();
      expect(JSON.stringify(context.content)).toContain(folder.id);
      const session = await client.callTool({ name: 'session_get', arguments: { session: 'over-http' } });
      expect(session.structuredContent).toMatchObject({ name: 'over-http', kind: 'shell' });
      const missing = await client.callTool({ name: 'session_get', arguments: { session: 'no-such-session' } });
      expect(missing.isError).toBe(true);
      expect(JSON.stringify(missing.content)).toContain('not found');
    } finally {
      await client.close();
    }
  });

  it('takes the CLI token too, and refuses no credential, a bad one and the service token', async () => {
    const client = await connect(api.ownerToken);
    expect((await client.listTools()).tools.length).toBeGreaterThan(5);
    await client.close();
    await expect(connect('rdv_key_nonsense')).rejects.toThrow(/401|unauthorized/i);
    const body = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };
    const accept = { accept: 'application/json, text/event-stream' };
    expect((await api.call('POST', '/mcp', body, { authorization: '', ...accept })).status).toBe(401);
    const serviceToken = openServiceTokenStore(api.config.paths.serviceToken, { create: false, graceMs: 0 }).current();
    const asService = await api.call('POST', '/mcp', body, { authorization: '', 'x-rdv-service-token': serviceToken, 'x-rdv-user-id': api.ownerId, ...accept });
    expect(asService.status).toBe(403);
  });

  it('answers GET with 405: the endpoint is stateless', async () => {
    const res = await api.call('GET', '/mcp', undefined, { accept: 'text/event-stream' });
    expect(res.status).toBe(405);
  });
});
