// `rdv knowledge …` and the knowledge MCP tools against the built api: the SDK's MCP
// client spawning `rdv mcp`, once from inside a real session, once with RDV_SESSION_ID set
// for it, and once as another user.
import { createRequire } from 'node:module';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocketClient } from '@rdv/client/node';
import { socketRequest } from '@rdv/core/lifecycle';
import { useTempDir, waitFor } from '@rdv/core/testing';
import { CLI_MAIN, useRdvHome, useServices } from './helpers.js';

const SLOW = { timeout: 120_000 };
const h = useRdvHome();
const services = useServices(h, ['api']);
const apiSocket = join(h.home, 'run', 'api.sock');
const clients: Client[] = [];
beforeAll(() => services.start(), 60_000);
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
});

const owner = () => createSocketClient({ socketPath: apiSocket, token: h.token() });

async function connect(env: Record<string, string>): Promise<Client> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI_MAIN, 'mcp'], env: { ...h.env, ...env }, stderr: 'ignore' });
  const client = new Client({ name: 'rdv-knowledge-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}
type ToolResult = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: any };
const call = (c: Client, name: string, args: Record<string, unknown> = {}) => c.callTool({ name, arguments: args }) as Promise<ToolResult>;
const ok = async (c: Client, name: string, args: Record<string, unknown> = {}) => {
  const r = await call(c, name, args);
  if (r.isError) throw new Error(`${name} failed: ${r.content[0]?.text}`);
  return r.structuredContent;
};

describe('rdv knowledge', SLOW, () => {
  it('adds, lists with inheritance, searches, edits, shows the document and removes', async () => {
    await h.json(['folder', 'create', 'kn-top']);
    await h.json(['folder', 'create', 'kn-api', '--parent', 'kn-top']);
    const top = await h.json(['knowledge', 'add', 'kn-top', '--title', 'Tests', '--body', 'Run `npm test` under nice.', '--tag', 'ci']);
    expect(top).toMatchObject({ title: 'Tests', tags: ['ci'], author: { kind: 'user' } });
    const bodyFile = join(useTempDir(), 'body.md');
    writeFileSync(bodyFile, '# Sockets\nThe api listens on run/api.sock; "quotes" and $(nothing) stay text.\n');
    const mine = await h.json(['knowledge', 'add', 'kn-api', '--title', 'Where the api listens', '--body-file', bodyFile]);
    expect(mine.body).toContain('$(nothing)');

    const table = await h.rdv(['knowledge', 'list', 'kn-api']);
    expect(table.stdout).toMatch(/^ID\s+TITLE\s+FOLDER\s+TAGS\s+AUTHOR\s+UPDATED\n/);
    expect(table.stdout).toMatch(/Tests\s+kn-top\s+ci/);
    expect(table.stdout).toMatch(/Where the api listens\s+kn-api/);
    expect((await h.json(['knowledge', 'list', 'kn-api', '--own'])).items.map((e: any) => e.title)).toEqual(['Where the api listens']);

    const found = await h.rdv(['knowledge', 'search', 'kn-api', 'api', 'sock']);
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(/Where the api listens +\(kn-api\)\n\s+.*\*\*api\*\*/);
    expect((await h.json(['knowledge', 'search', 'kn-top', 'sock'])).items).toEqual([]);

    expect(await h.json(['knowledge', 'edit', 'kn-top', top.id.slice(0, 8), '--title', 'Testing'])).toMatchObject({ title: 'Testing' });
    const refused = await h.rdv(['knowledge', 'edit', 'kn-api', top.id, '--title', 'x']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/belongs to another folder/);
    expect((await h.rdv(['knowledge', 'doc', 'kn-api'])).stdout).toMatch(/# Folder knowledge: kn-top \/ kn-api[\s\S]*### Testing[\s\S]*### Where the api listens/);

    expect((await h.rdv(['knowledge', 'rm', 'kn-api', mine.id])).stdout).toBe('deleted "Where the api listens"\n');
    expect((await h.json(['knowledge', 'list', 'kn-api'])).items.map((e: any) => e.title)).toEqual(['Testing']);
    const bad = await h.rdv(['knowledge', 'add', 'kn-api', '--title', '']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--title/);
  });
});

describe('knowledge over MCP', SLOW, () => {
  it('an MCP client inside a session adds and searches knowledge in its folder chain', async () => {
    const api = owner();
    const top = await api.POST('/api/folders', { body: { name: 'mcp-top' } });
    const sub = await api.POST('/api/folders', { body: { name: 'mcp-sub', parentId: top.id } });
    await api.POST('/api/folders/{id}/knowledge', { params: { path: { id: top.id } }, body: { title: 'Inherited rule', body: 'Prefer small commits.' } });
    const session = await api.POST('/api/sessions', { body: { name: 'mcp-agent', kind: 'shell', folderId: sub.id, cwd: h.home } });
    // A script run in the session's shell: an MCP client spawning `rdv mcp` with the session's own environment.
    const dir = useTempDir();
    const out = join(dir, 'result.json');
    const req = createRequire(import.meta.url);
    writeFileSync(
      join(dir, 'client.cjs'),
      `const { Client } = require(${JSON.stringify(req.resolve('@modelcontextprotocol/sdk/client/index.js'))});
const { StdioClientTransport } = require(${JSON.stringify(req.resolve('@modelcontextprotocol/sdk/client/stdio.js'))});
(async () => {
  const c = new Client({ name: 'in-session', version: '1' });
  await c.connect(new StdioClientTransport({ command: process.execPath, args: [${JSON.stringify(CLI_MAIN)}, 'mcp'], env: process.env, stderr: 'ignore' }));
  const doc = await c.callTool({ name: 'knowledge_get', arguments: {} });
  const added = await c.callTool({ name: 'knowledge_add', arguments: { title: 'Learned in the session', body: 'The flaky test needs a retry.', tags: ['flaky'] } });
  const found = await c.callTool({ name: 'knowledge_search', arguments: { query: 'retry' } });
  const note = await c.callTool({ name: 'note_capture', arguments: { body: 'stopped after the retry fix' } });
  require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({ doc, added, found, note }));
  await c.close();
})();
`,
    );
    await api.POST('/api/sessions/{id}/exec', { params: { path: { id: session.id } }, body: { command: `'${process.execPath}' '${join(dir, 'client.cjs')}'` } });
    const result = await waitFor(() => (existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : null), 'the in-session MCP client', 30_000);
    expect(result.doc.isError, JSON.stringify(result.doc)).toBeUndefined();
    expect(result.doc.structuredContent).toMatchObject({ folderId: sub.id, entries: 1 });
    expect(result.doc.structuredContent.markdown).toContain('### Inherited rule');
    expect(result.added.structuredContent).toMatchObject({ folderId: sub.id, author: { kind: 'session', name: 'mcp-agent', sessionId: session.id } });
    expect(result.found.structuredContent.items.map((x: any) => x.entry.title)).toEqual(['Learned in the session']);
    expect(result.note.structuredContent).toMatchObject({ sessionId: session.id, body: 'stopped after the retry fix' });
    const notes = await api.GET('/api/sessions/{id}/notes', { params: { path: { id: session.id } } });
    expect(notes.items.map((n) => n.body)).toEqual(['stopped after the retry fix']);
    // The sibling-free view from the top: the sub folder's entry is not the top's.
    expect((await api.GET('/api/folders/{id}/knowledge/search', { params: { path: { id: top.id }, query: { q: 'retry' } } })).items).toEqual([]);
  });

  it('takes a folder by name, and says what to do without a session or folder', async () => {
    const key = (await owner().POST('/api/tokens', { body: { name: 'kn-key', kind: 'api_key' } })).token;
    const mcp = await connect({ RDV_API_KEY: key });
    const names = (await mcp.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['knowledge_get', 'knowledge_add', 'knowledge_search', 'note_capture']));
    const noFolder = await call(mcp, 'knowledge_get');
    expect(noFolder).toMatchObject({ isError: true, content: [{ text: expect.stringMatching(/say which folder/) }] });
    const added = await ok(mcp, 'knowledge_add', { folder: 'mcp-top', title: 'By key', body: 'no session', tags: ['k'] });
    expect(added.author.kind).toBe('user');
    const hits = await ok(mcp, 'knowledge_search', { folder: 'mcp-sub', query: 'session' });
    expect(hits.items.map((x: any) => x.entry.title)).toEqual(expect.arrayContaining(['By key', 'Learned in the session']));
    expect((await call(mcp, 'note_capture', { body: 'x' })).content[0]!.text).toMatch(/say which session/);
  });

  it("refuses another user's folders and sessions, whatever RDV_SESSION_ID says", async () => {
    const serviceToken = readFileSync(join(h.home, 'server', 'service-token'), 'utf8').trim();
    const other = await socketRequest<any>(apiSocket, '/api/auth/resolve-user', { method: 'POST', body: { email: 'mallory@example.com' }, headers: { 'x-rdv-service-token': serviceToken } });
    const key = await socketRequest<any>(apiSocket, '/api/tokens', {
      method: 'POST',
      body: { name: 'mallory-key', kind: 'api_key' },
      headers: { 'x-rdv-service-token': serviceToken, 'x-rdv-user-id': other.body.id },
    });
    const api = owner();
    const folder = (await api.GET('/api/folders')).items.find((f) => f.name === 'mcp-sub')!;
    const session = (await api.GET('/api/sessions')).items.find((s) => s.name === 'mcp-agent')!;
    const mcp = await connect({ RDV_API_KEY: key.body.token, RDV_SESSION_ID: session.id });
    for (const [tool, args] of [
      ['knowledge_get', {}],
      ['knowledge_add', { title: 'planted', body: 'x' }],
      ['knowledge_add', { folder: folder.id, title: 'planted', body: 'x' }],
      ['knowledge_search', { folder: folder.id, query: 'retry' }],
      ['note_capture', { body: 'planted' }],
    ] as [string, Record<string, unknown>][]) {
      const r = await call(mcp, tool, args);
      expect(r.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
      expect(r.content[0]!.text).toMatch(/not found/);
    }
    const titles = (await api.GET('/api/folders/{id}/knowledge', { params: { path: { id: folder.id }, query: {} } })).items.map((e) => e.title);
    expect(titles).not.toContain('planted');
  });
});

describe('rdv hooks', SLOW, () => {
  it('adds a hook that runs its argv as given on session events, and shows its runs', async () => {
    await h.json(['folder', 'create', 'hk']);
    const added = await h.json(['hooks', 'add', 'hk', '--name', 'echo', '--on', 'created', '--timeout', '5', '--', process.execPath, '-e', 'console.log(process.argv[1])', '$(touch pwned) "q"']);
    expect(added).toMatchObject({ name: 'echo', events: ['created'], timeoutMs: 5000, argv: [process.execPath, '-e', 'console.log(process.argv[1])', '$(touch pwned) "q"'] });
    expect((await h.rdv(['hooks', 'list', 'hk'])).stdout).toMatch(/echo\s+hk\s+created\s+\S*node -e/);
    // The README's pattern: a hook that keeps its result as a note, through `rdv` (found by RDV_API_SOCKET alone).
    await h.json(['hooks', 'add', 'hk', '--name', 'note', '--on', 'created', '--', 'sh', '-c', `echo "tests passed" | '${process.execPath}' '${CLI_MAIN}' knowledge note "$RDV_SESSION_ID" --body -`]);
    const s = await h.json(['session', 'create', 'hk-s', '--folder', 'hk', '--cwd', h.home]);
    const runs = await waitFor(async () => {
      const r = await h.rdv(['hooks', 'runs', 'hk', 'echo']);
      return /exit 0/.test(r.stdout) ? r.stdout : null;
    }, 'the hook run');
    expect(runs).toMatch(/created {2}exit 0 {2}session [0-9a-f]{8}\n {2}stdout: \$\(touch pwned\) "q"/);
    expect(existsSync(join(h.home, 'pwned'))).toBe(false);
    const notes = await waitFor(async () => ((await h.json(['knowledge', 'notes', s.id])).items as { body: string }[]).map((n) => n.body), 'the note');
    expect(notes).toEqual(['tests passed']);
    expect((await h.rdv(['knowledge', 'notes', 'hk-s'])).stdout).toMatch(/tests passed/);
    expect(await h.json(['hooks', 'disable', 'hk', 'echo'])).toMatchObject({ enabled: false });
    const bad = await h.rdv(['hooks', 'add', 'hk', '--name', 'x', '--on', 'rebooted', '--', 'true']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--on/);
    expect((await h.rdv(['hooks', 'rm', 'hk', 'echo'])).stdout).toBe('deleted hook echo\n');
    await h.rdv(['session', 'close', 'hk-s']);
  });
});
