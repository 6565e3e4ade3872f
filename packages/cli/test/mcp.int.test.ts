// `rdv mcp` driven by the SDK's own MCP client over stdio, against a real api process in a
// temp RDV_HOME with its own tmux socket.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocketClient } from '@rdv/client/node';
import { socketRequest } from '@rdv/core/lifecycle';
import { useRdvEnv, useRepo, useTempDir, waitFor } from '@rdv/core/testing';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const { home, env } = useRdvEnv('file', { prefix: 'rdv-mcp-' });
const apiSocket = join(home, 'run', 'api.sock');
let api: ChildProcess;
const clients: Client[] = [];

const owner = () => createSocketClient({ socketPath: apiSocket, token: readFileSync(join(home, 'cli-token'), 'utf8').trim() });

async function connect(extraEnv: Record<string, string>, rdvHome = home): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(ROOT, 'packages/cli/dist/main.js'), 'mcp'],
    env: { ...env, RDV_HOME: rdvHome, ...extraEnv },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'rdv-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

type ToolResult = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: any };
const call = (client: Client, name: string, args: Record<string, unknown> = {}) =>
  client.callTool({ name, arguments: args }) as Promise<ToolResult>;
const ok = async (client: Client, name: string, args: Record<string, unknown> = {}) => {
  const r = await call(client, name, args);
  if (r.isError) throw new Error(`${name} failed: ${r.content[0]?.text}`);
  expect(JSON.parse(r.content[0]!.text)).toEqual(r.structuredContent);
  return r.structuredContent;
};

let key: string;
let mcp: Client;

beforeAll(async () => {
  api = spawn(process.execPath, [join(ROOT, 'services/api/dist/main.js')], { env, stdio: 'ignore' });
  await waitFor(async () => (await socketRequest(apiSocket, '/health').catch(() => null))?.status === 200, 'api healthy', 20_000, 50);
  key = (await owner().POST('/api/tokens', { body: { name: 'mcp-test', kind: 'api_key' } })).token;
  mcp = await connect({ RDV_API_KEY: key });
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  if (api && api.exitCode === null) {
    const exited = new Promise((r) => api.once('exit', r));
    api.kill('SIGTERM');
    await exited;
  }
});

const TOOLS = [
  'session_list', 'session_get', 'session_create', 'session_rename', 'session_close', 'session_suspend', 'session_resume',
  'session_send_input', 'session_read_output', 'session_read_log', 'session_search', 'folder_list', 'folder_create', 'folder_context', 'worktree_create',
  'worktree_list', 'worktree_remove', 'worktree_status', 'worktree_diff', 'orchestrator_status', 'insight_list', 'insight_resolve', 'session_inject',
  'request_attention',
  'knowledge_get', 'knowledge_add', 'knowledge_search', 'note_capture', 'insight_extract', 'knowledge_propose',
  'repository_list', 'repository_add', 'worktree_push',
];

describe('rdv mcp', () => {
  it('lists every tool with input and output schemas, and the resources', async () => {
    const { tools } = await mcp.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...TOOLS].sort());
    for (const t of tools) {
      expect(t.inputSchema.type).toBe('object');
      expect(t.outputSchema?.type).toBe('object');
      expect(t.description).toBeTruthy();
    }
    expect((await mcp.listResources()).resources.map((r) => r.uri)).toContain('rdv://sessions');
    expect((await mcp.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toEqual(['rdv://sessions/{sessionId}/output']);
  });

  it('runs the session tools end to end, by name and by id', async () => {
    const created = await ok(mcp, 'session_create', { name: 'agent-box', cwd: home });
    expect(created).toMatchObject({ name: 'agent-box', kind: 'shell', status: 'active' });
    expect((await ok(mcp, 'session_list')).items.map((s: any) => s.id)).toContain(created.id);
    expect(await ok(mcp, 'session_get', { session: 'agent-box' })).toMatchObject({ id: created.id });
    expect(await ok(mcp, 'session_send_input', { session: created.id, text: 'echo mcp-$((20+22))' })).toEqual({ sessionId: created.id, sent: true });
    const output = await waitFor(async () => {
      const r = await ok(mcp, 'session_read_output', { session: 'agent-box', lines: 50 });
      return /mcp-42/.test(r.text) ? r : null;
    }, 'typed output');
    expect(output.sessionId).toBe(created.id);
    expect(await ok(mcp, 'session_rename', { session: 'agent-box', name: 'agent-box-2' })).toMatchObject({ name: 'agent-box-2' });
    expect(await ok(mcp, 'session_suspend', { session: 'agent-box-2' })).toMatchObject({ status: 'suspended' });
    expect(await ok(mcp, 'session_resume', { session: 'agent-box-2' })).toMatchObject({ status: 'active' });

    const resource = await mcp.readResource({ uri: `rdv://sessions/${created.id}/output` });
    expect((resource.contents[0] as { text: string }).text).toMatch(/mcp-42/);
    const listed = await mcp.readResource({ uri: 'rdv://sessions' });
    expect(JSON.parse((listed.contents[0] as { text: string }).text).items.map((s: any) => s.id)).toContain(created.id);

    expect(await ok(mcp, 'session_close', { session: 'agent-box-2' })).toMatchObject({ status: 'closed' });
    expect(await ok(mcp, 'session_close', { session: created.id })).toMatchObject({ status: 'closed' });

    // Its output outlives it: read from the log, and found by search.
    const log = await ok(mcp, 'session_read_log', { session: created.id, tail: 20 });
    expect(log).toMatchObject({ sessionId: created.id, format: 'text' });
    expect(log.text).toMatch(/^mcp-42\r?$/m);
    const found = await waitFor(async () => {
      const r = await ok(mcp, 'session_search', { q: 'mcp-42' });
      return r.items.length ? r : null;
    }, 'the log to be indexed', 20_000, 250);
    const hit = found.items.find((h: any) => h.sessionId === created.id);
    expect(hit).toMatchObject({ status: 'closed' });
    const around = await ok(mcp, 'session_read_log', { session: created.id, from: hit.matches[0].offset, limitBytes: 100 });
    expect(around.text).toContain('mcp-42');
  });

  it('runs the folder tools', async () => {
    const folder = await ok(mcp, 'folder_create', { name: 'mcp-folder', defaultCwd: home });
    expect((await ok(mcp, 'folder_list')).items.map((f: any) => f.id)).toContain(folder.id);
    await ok(mcp, 'session_create', { name: 'in-folder', folderId: folder.id });
    const context = await ok(mcp, 'folder_context', { folder: 'mcp-folder' });
    expect(context.folder.id).toBe(folder.id);
    expect(context.sessions.map((s: any) => s.name)).toEqual(['in-folder']);
  });

  it('runs the worktree tools', async () => {
    const repo = join(useTempDir('test', 'rdv-mcp-repo-'), 'app');
    const git = (...args: string[]) => spawnSync('git', args, { cwd: repo, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } });
    spawnSync('git', ['init', '-q', '-b', 'main', repo]);
    git('-c', 'user.email=a@example.com', '-c', 'user.name=A', 'commit', '-q', '--allow-empty', '-m', 'init');
    const wt = await ok(mcp, 'worktree_create', { repoPath: repo, branch: 'mcp-branch' });
    expect(wt).toMatchObject({ branch: 'mcp-branch', repoPath: repo });
    expect((await ok(mcp, 'worktree_list', { repoPath: repo })).items.map((w: any) => w.id)).toContain(wt.id);
    expect((await ok(mcp, 'worktree_status', {})).items.find((w: any) => w.id === wt.id)).toMatchObject({ git: { branch: 'mcp-branch' } });
    writeFileSync(join(wt.path, 'from-agent.txt'), 'hello\n');
    const diff = await ok(mcp, 'worktree_diff', { path: wt.path });
    expect(diff.files).toEqual([expect.objectContaining({ path: 'from-agent.txt', status: 'added', untracked: true, additions: 1, patch: expect.stringContaining('+hello') })]);
    const stat = await ok(mcp, 'worktree_diff', { id: wt.id, stat: true });
    expect(stat.files[0]).not.toHaveProperty('patch');
    const neither = await call(mcp, 'worktree_diff', {});
    expect(neither).toMatchObject({ isError: true, content: [{ text: expect.stringMatching(/exactly one of session, id or path/) }] });
    rmSync(join(wt.path, 'from-agent.txt'));
    expect(await ok(mcp, 'worktree_remove', { id: wt.id })).toMatchObject({ id: wt.id });
    const both = await call(mcp, 'worktree_remove', { id: wt.id, path: wt.path });
    expect(both).toMatchObject({ isError: true, content: [{ text: expect.stringMatching(/exactly one of id or path/) }] });
  });

  it('clones a repository, makes a worktree of it and pushes its branch', async () => {
    const origin = useRepo();
    const repo = await ok(mcp, 'repository_add', { url: origin.remote });
    expect(repo).toMatchObject({ url: origin.remote, status: 'ready', defaultBranch: 'main' });
    expect((await ok(mcp, 'repository_list')).items.map((r: any) => r.id)).toContain(repo.id);
    const wt = await ok(mcp, 'worktree_create', { repositoryId: repo.id, branch: 'mcp-push' });
    const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' };
    spawnSync('git', ['-c', 'user.email=a@example.com', '-c', 'user.name=A', 'commit', '-q', '--allow-empty', '-m', 'from mcp'], { cwd: wt.path, env });
    const pushed = await ok(mcp, 'worktree_push', { id: wt.id });
    expect(pushed).toMatchObject({ branch: 'mcp-push', remote: origin.remote, compareUrl: null });
    expect(spawnSync('git', ['log', '-1', '--format=%s', 'mcp-push'], { cwd: origin.remote, env, encoding: 'utf8' }).stdout.trim()).toBe('from mcp');
    const hostile = await call(mcp, 'repository_add', { url: 'ext::sh -c id' });
    expect(hostile).toMatchObject({ isError: true });
  });

  it('runs the orchestrator tools: status, inject (through Master Control), insights', async () => {
    const target = await ok(mcp, 'session_create', { name: 'inject-target' });
    const sent = await ok(mcp, 'session_inject', { session: 'inject-target', text: 'echo injected-$((5*5))', reason: 'test' });
    expect(sent).toMatchObject({ sessionId: target.id, sent: true });
    await waitFor(async () => /injected-25/.test((await ok(mcp, 'session_read_output', { session: target.id })).text), 'injected text');
    const status = await ok(mcp, 'orchestrator_status');
    const master = status.items.find((o: any) => o.kind === 'master');
    expect(master).toMatchObject({ id: sent.orchestratorId, monitoringStatus: { orchestratorId: sent.orchestratorId } });
    expect(await ok(mcp, 'orchestrator_status', { orchestratorId: master.id })).toMatchObject({ items: [{ id: master.id }] });
    expect(await ok(mcp, 'session_inject', { session: target.id, keys: ['C-c'], orchestratorId: master.id })).toMatchObject({ keys: ['C-c'] });
    expect(Array.isArray((await ok(mcp, 'insight_list')).items)).toBe(true);
    expect(Array.isArray((await ok(mcp, 'insight_list', { orchestratorId: master.id, includeResolved: true })).items)).toBe(true);
    const nothing = await call(mcp, 'session_inject', { session: target.id });
    expect(nothing).toMatchObject({ isError: true, content: [{ text: expect.stringMatching(/give text or keys/) }] });
  });

  it('request_attention: an agent inside a session asks for its human; the session defaults to its own', async () => {
    const target = await ok(mcp, 'session_create', { name: 'needy-agent' });
    const inside = await connect({ RDV_API_KEY: key, RDV_SESSION_ID: target.id });
    const asked = await ok(inside, 'request_attention', { message: 'Which release branch should I cut from?' });
    expect(asked).toMatchObject({ sessionId: target.id, type: 'waiting_input', source: 'hook', message: 'needy-agent asks for you: Which release branch should I cut from?' });
    const open = await ok(mcp, 'insight_list');
    expect(open.items.map((i: any) => i.id)).toContain(asked.id);
    const notes = await owner().GET('/api/notifications');
    expect(notes.items.find((n) => n.sessionId === target.id)).toMatchObject({ type: 'question', body: 'Which release branch should I cut from?' });
    const outside = await call(mcp, 'request_attention', { message: 'hello' });
    expect(outside).toMatchObject({ isError: true, content: [{ text: expect.stringMatching(/not running inside an rdv session/) }] });
  });

  it('reports failures as isError results an agent can act on', async () => {
    const missing = await call(mcp, 'session_get', { session: 'no-such-session' });
    expect(missing.isError).toBe(true);
    expect(missing.content[0]!.text).toMatch(/session no-such-session not found\. Call session_list/);
    const dup = await call(mcp, 'folder_context', { folder: 'nope' });
    expect(dup.content[0]!.text).toMatch(/folder nope not found\. Call folder_list/);
    const inject = await call(mcp, 'session_inject', { session: 'no-such-session', text: 'hi' });
    expect(inject).toMatchObject({ isError: true, content: [{ text: expect.stringMatching(/session no-such-session not found/) }] });
    const resolve = await call(mcp, 'insight_resolve', { insightId: '00000000-0000-4000-8000-000000000000' });
    expect(resolve.isError).toBe(true);
    expect(resolve.content[0]!.text).toMatch(/insight 00000000-0000-4000-8000-000000000000 not found\. Call orchestrator_status and insight_list/);
  });

  it('rejects bad arguments before calling the api', async () => {
    for (const [name, args] of [
      ['session_create', { name: '' }],
      ['session_create', { name: 'x', cwd: 'relative/path' }],
      ['session_list', { status: 'weird' }],
      ['session_read_output', { session: 'x', lines: 0 }],
      ['session_send_input', { session: 'x', text: 'two\nlines' }],
      ['folder_create', {}],
    ] as const) {
      const r = await call(mcp, name, args).catch((err: { code?: number; message: string }) => ({ thrown: err }));
      if ('thrown' in r) expect(r.thrown.code).toBe(-32602);
      else {
        expect(r.isError, name).toBe(true);
        expect(r.content[0]!.text).toMatch(/Invalid arguments|validation/i);
      }
    }
    await expect(mcp.callTool({ name: 'no_such_tool', arguments: {} })).resolves.toMatchObject({ isError: true });
  });

  it('says when rdv is not running, and when the key was revoked', async () => {
    const down = await connect({ RDV_API_KEY: key }, useTempDir('test', 'rdv-mcp-down-'));
    const r = await call(down, 'session_list');
    expect(r.isError).toBe(true);
    expect(r.content[0]!.text).toMatch(/rdv is not running.*rdv up/);

    const doomed = await owner().POST('/api/tokens', { body: { name: 'doomed', kind: 'api_key' } });
    const client = await connect({ RDV_API_KEY: doomed.token });
    await ok(client, 'session_list');
    await owner().DELETE('/api/tokens/{id}', { params: { path: { id: doomed.id } } });
    const refused = await call(client, 'session_list');
    expect(refused.isError).toBe(true);
    expect(refused.content[0]!.text).toMatch(/refused this MCP server's API key: this token was revoked.*rdv token create <name> --api-key/);
  });

  it('writes nothing but JSON-RPC to stdout, even while logging failures', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'packages/cli/dist/main.js'), 'mcp'], {
      env: { ...env, RDV_LOG_LEVEL: 'debug', RDV_API_KEY: 'rdv_key_wrong' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const send = (msg: object) => child.stdin.write(`${JSON.stringify(msg)}\n`);
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'session_list', arguments: {} } });
    await waitFor(() => stdout.includes('"id":2'), 'the tool result');
    child.stdin.end();
    await new Promise((r) => child.once('exit', r));
    const lines = stdout.trim().split('\n');
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(JSON.parse(lines.at(-1)!).result).toMatchObject({ isError: true });
    expect(stderr).toMatch(/tool failed/);
  });
});
