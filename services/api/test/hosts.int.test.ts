// Two rdv instances on this machine joined over a real OpenSSH server on loopback: the
// primary (this process) keeps an `ssh -N` link to the host's api.sock and terminal.sock.
// Lists, create, exec, attach and events across both; the link cut and restored under an
// attached terminal; a refused token and another rdv version reported, not crashed on.
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Agent, fetch as undiciFetch } from 'undici';
import { makeSshKey, useFakeAgents, useSshd, useTempDir, waitFor } from '@rdv/core/testing';
import { openSse, useApi } from './helpers.js';
import { CLI_MAIN, attachThrough, runRdv, startFakeHost, startRemoteRdv } from './host-helpers.js';

const keys = useTempDir('file', 'rdv-keys-');
const key = makeSshKey(keys, 'primary');
const sshd = await useSshd({ authorizedKeys: [key.publicKey] });
const knownHosts = join(keys, 'known_hosts');
writeFileSync(knownHosts, `${sshd.knownHostsLine()}\n`);
const fakes = useFakeAgents();
const remote = await startRemoteRdv({ RDV_NOTIFICATIONS_COALESCE_SECONDS: '0' });
const api = await useApi({ RDV_HOSTS_RECONNECT_MAX_SECONDS: '2', RDV_HOSTS_PROBE_INTERVAL_SECONDS: '1', RDV_HOSTS_KEEPALIVE_SECONDS: '1' });

const hostBody = (name: string, remoteHome: string, token: string) => ({
  name,
  destination: `${sshd.user}@127.0.0.1`,
  port: sshd.port,
  identityFile: key.privateKeyPath,
  knownHostsFile: knownHosts,
  remoteHome,
  token,
});
const hostState = async (name: string) => (await api.call('GET', `/api/hosts/${name}`)).body;
const waitForState = (name: string, state: string, timeoutMs = 30_000) =>
  waitFor(async () => (await hostState(name)).state === state, `host ${name} ${state}`, timeoutMs);

/** A websocket on a session of `host` through the primary's api.sock. */
const attach = (hostId: string, sessionId: string) => attachThrough(api.socket, api.ownerToken, hostId, sessionId);

afterAll(() => remote.stop(), 30_000);

/** Runs the built `rdv` against the primary, as its owner (`input` on its stdin). */
const rdv = (...args: string[]) => runRdv(api.home, args);
const rdvWithStdin = (input: string, ...args: string[]) => runRdv(api.home, args, input);

/** An MCP client on the primary's /mcp with an API key. */
async function mcpClient(): Promise<{ client: Client; close(): Promise<void> }> {
  const key = await api.call('POST', '/api/tokens', { name: 'mcp-hosts', kind: 'api_key' });
  const agent = new Agent({ connect: { socketPath: api.socket } });
  const transport = new StreamableHTTPClientTransport(new URL('http://rdv/mcp'), {
    requestInit: { headers: { authorization: `Bearer ${key.body.token}` } },
    fetch: (url, init) => undiciFetch(url, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>,
  });
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(transport);
  return { client, close: async () => (await client.close(), await agent.close()) };
}
const toolJson = (result: any) => JSON.parse(result.content[0].text);

describe('hosts over ssh', () => {
  let hostId = '';
  let remoteSession = '';

  it('adds a host with its owner\'s token, kept sealed and never returned; the link comes up', async () => {
    expect((await api.call('POST', '/api/hosts', { ...hostBody('x', remote.home, remote.ownerToken), destination: '-oProxyCommand=touch' })).status).toBe(400);
    const added = await api.call('POST', '/api/hosts', hostBody('box2', remote.home, remote.ownerToken));
    expect(added.status).toBe(201);
    expect(added.text).not.toContain(remote.ownerToken);
    hostId = added.body.id;
    await waitForState('box2', 'connected');
    const host = await hostState('box2');
    expect(host).toMatchObject({ name: 'box2', state: 'connected', lastError: null, versionMatches: true });
    expect(host.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(host.latencyMs).toBeGreaterThan(0);
    // The forwarded sockets are private, in run/hosts/<id>/.
    expect(statSync(join(api.home, 'run', 'hosts', hostId, 'api.sock')).mode & 0o777).toBe(0o600);
    const db = readFileSync(join(api.home, 'sqlite.db'));
    expect(db.includes(Buffer.from(remote.ownerToken))).toBe(false);
    expect((await api.call('GET', '/api/hosts')).text).not.toContain(remote.ownerToken);
    expect((await api.call('POST', '/api/hosts', hostBody('box2', remote.home, remote.ownerToken))).status).toBe(409);
  });

  it('creates and drives a session on the host, listed with this machine\'s in one view', async () => {
    const sse = openSse(api.socket, api.ownerToken);
    const local = await api.call('POST', '/api/sessions', { name: 'here', kind: 'shell' });
    expect(local.status).toBe(201);
    const created = await api.call('POST', '/api/sessions?host=box2', { name: 'there', kind: 'shell' });
    expect(created.status).toBe(201);
    expect(created.body.host).toEqual({ id: hostId, name: 'box2', state: 'connected' });
    remoteSession = created.body.id;
    // It lives on the host: the host's own api lists it, this machine's does not.
    expect((await remote.call('GET', `/api/sessions/${remoteSession}`)).status).toBe(200);
    expect((await api.call('GET', `/api/sessions/${remoteSession}`)).status).toBe(404);

    const all = (await api.call('GET', '/api/sessions?host=all')).body.items;
    expect(all.find((s: any) => s.id === local.body.id).host).toBeNull();
    expect(all.find((s: any) => s.id === remoteSession).host).toEqual({ id: hostId, name: 'box2', state: 'connected' });
    expect((await api.call('GET', '/api/sessions?host=box2')).body.items.map((s: any) => s.id)).toEqual([remoteSession]);
    expect((await api.call('GET', '/api/sessions')).body.items.map((s: any) => s.id)).toEqual([local.body.id]);

    await waitFor(async () => /\S/.test((await api.call('GET', `/api/sessions/${remoteSession}/scrollback?host=box2`)).body.text ?? ''), 'the remote prompt');
    expect((await api.call('POST', `/api/sessions/${remoteSession}/exec?host=${hostId}`, { command: 'echo remote-$((6*7))' })).body).toEqual({ sessionId: remoteSession, sent: true });
    await waitFor(async () => /remote-42/.test((await api.call('GET', `/api/sessions/${remoteSession}/scrollback?host=box2`)).body.text), 'exec output on the host');
    // The orchestrator there injects, and its worktrees are listed, through the link.
    const master = (await api.call('GET', '/api/orchestrators?host=box2')).body.items.find((o: any) => o.kind === 'master');
    const injected = await api.call('POST', `/api/orchestrators/${master.id}/inject?host=box2`, { sessionId: remoteSession, text: 'echo injected-$((7*6))', reason: 'test' });
    expect(injected.status, injected.text).toBe(200);
    await waitFor(async () => /injected-42/.test((await api.call('GET', `/api/sessions/${remoteSession}/scrollback?host=box2`)).body.text), 'inject on the host');
    expect((await api.call('GET', '/api/worktrees?host=box2')).body.items).toEqual([]);
    // Folders there: made, filled and read through the link, their sessions marked.
    const folder = await api.call('POST', '/api/folders?host=box2', { name: 'over there' });
    expect(folder.status).toBe(201);
    const filed = await api.call('POST', '/api/sessions?host=box2', { name: 'filed', kind: 'shell', folderId: folder.body.id });
    const context = await api.call('GET', `/api/folders/${folder.body.id}/context?host=box2`);
    expect(context.body.sessions.map((x: any) => [x.id, x.host?.name])).toEqual([[filed.body.id, 'box2']]);
    // The host's events come back on this stream with its id.
    await waitFor(() => sse.events.some((e) => e.event === 'host.event' && e.data.data.host.id === hostId && e.data.data.type === 'session.created'), 'host.event session.created');
    sse.close();
  });

  it('re-publishes the host\'s notifications with its id', async () => {
    const sse = openSse(api.socket, api.ownerToken);
    const agent = await api.call('POST', '/api/sessions?host=box2', { name: 'agent there', kind: 'agent', agent: 'claude', env: fakes.env });
    expect(agent.status).toBe(201);
    await waitFor(() => fakes.entries().some((e) => e.started), 'the agent on the host started', 20_000);
    await api.call('POST', `/api/sessions/${agent.body.id}/exec?host=box2`, { command: 'permission make deploy' });
    const event = await waitFor(
      () => sse.events.find((e) => e.event === 'host.event' && e.data.data.type === 'notification.created'),
      'a notification from the host',
      20_000,
    );
    expect(event!.data.data.host).toEqual({ id: hostId, name: 'box2' });
    expect(event!.data.data.data.notification).toMatchObject({ sessionId: agent.body.id, type: 'permission' });
    const centre = await api.call('GET', '/api/notifications?host=box2');
    expect(centre.body.items.some((n: any) => n.sessionId === agent.body.id)).toBe(true);
    // One view: this machine's lists with every host's items, each marked with its host.
    const everywhere = await api.call('GET', '/api/notifications?host=all');
    expect(everywhere.body.items.find((n: any) => n.sessionId === agent.body.id).host).toEqual({ id: hostId, name: 'box2', state: 'connected' });
    await waitFor(async () => (await api.call('GET', '/api/insights?open=true&host=all')).body.items.some((i: any) => i.sessionId === agent.body.id && i.host?.name === 'box2'), 'the host\'s insight listed here');
    const found = await waitFor(async () => (await api.call('GET', '/api/search?q=remote-42&host=all')).body.items.find((h: any) => h.sessionId === remoteSession), 'the host\'s output searched from here', 30_000, 250);
    expect(found.host.name).toBe('box2');
    expect((await api.call('POST', '/api/sessions/reorder?host=all', { ids: [remoteSession] })).status).toBe(400);
    sse.close();
  });

  it('the CLI and MCP reach sessions on the host with --host and a host argument', async () => {
    const hosts = await rdv('host', 'list', '--json');
    expect(hosts.code).toBe(0);
    expect(JSON.parse(hosts.stdout).items.find((h: any) => h.name === 'box2').state).toBe('connected');
    const listed = await rdv('session', 'list', '--host', 'all');
    expect(listed.stdout).toMatch(/HOST/);
    expect(listed.stdout).toMatch(/there\s+\S+\s+box2/);
    expect((await rdv('session', 'exec', 'there', '--host', 'box2', '--', 'echo', 'cli-$((1+1))')).code).toBe(0);
    await waitFor(async () => /cli-2/.test((await rdv('session', 'scrollback', 'there', '--host', 'box2')).stdout), 'CLI exec on the host');
    const created = await rdv('session', 'create', 'from-cli', '--host', 'box2', '--json');
    expect(JSON.parse(created.stdout).host.name).toBe('box2');
    expect((await rdv('host', 'test', 'box2')).stdout).toMatch(/state\s+connected/);
    // Added from the command line with the token on stdin and the port in an ssh:// destination.
    const added = await rdvWithStdin(`${remote.ownerToken}\n`, 'host', 'add', 'viaurl', `ssh://${sshd.user}@127.0.0.1:${sshd.port}`, '--identity-file', key.privateKeyPath, '--known-hosts-file', knownHosts, '--remote-home', remote.home, '--token-stdin', '--json');
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).not.toContain(remote.ownerToken);
    expect(JSON.parse(added.stdout)).toMatchObject({ name: 'viaurl', destination: `${sshd.user}@127.0.0.1`, port: sshd.port });
    await waitForState('viaurl', 'connected');
    expect((await rdv('host', 'remove', 'viaurl')).stdout).toMatch(/removed host viaurl/);
    const missing = await rdv('host', 'test', 'nowhere');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/no host "nowhere"/);

    const mcp = await mcpClient();
    try {
      const all = toolJson(await mcp.client.callTool({ name: 'session_list', arguments: { host: 'all' } }));
      expect(all.items.some((s: any) => s.name === 'from-cli' && s.host?.name === 'box2')).toBe(true);
      const sent = await mcp.client.callTool({ name: 'session_send_input', arguments: { session: 'there', host: 'box2', text: 'echo mcp-$((3*3))' } });
      expect(sent.isError).toBeFalsy();
      await waitFor(
        async () => /mcp-9/.test(toolJson(await mcp.client.callTool({ name: 'session_read_output', arguments: { session: 'there', host: 'box2' } })).text),
        'MCP input on the host',
      );
      const made = toolJson(await mcp.client.callTool({ name: 'session_create', arguments: { name: 'from-mcp', host: 'box2' } }));
      expect(made.host.name).toBe('box2');
      expect((await remote.call('GET', `/api/sessions/${made.id}`)).body.name).toBe('from-mcp');
    } finally {
      await mcp.close();
    }
    // `rdv mcp` on stdio: the same tools over the typed client.
    const apiKey = await api.call('POST', '/api/tokens', { name: 'mcp-stdio', kind: 'api_key' });
    const stdio = new Client({ name: 'test', version: '1.0.0' });
    await stdio.connect(new StdioClientTransport({ command: process.execPath, args: [CLI_MAIN, 'mcp'], env: { PATH: process.env.PATH ?? '', HOME: api.home, RDV_HOME: api.home, RDV_API_KEY: apiKey.body.token }, stderr: 'ignore' }));
    try {
      const got = toolJson(await stdio.callTool({ name: 'session_get', arguments: { session: 'from-mcp', host: 'box2' } }));
      expect(got).toMatchObject({ name: 'from-mcp', host: { name: 'box2' } });
      await stdio.callTool({ name: 'session_send_input', arguments: { session: 'there', host: 'box2', text: 'echo stdio-$((2*4))' } });
      await waitFor(async () => /stdio-8/.test(toolJson(await stdio.callTool({ name: 'session_read_output', arguments: { session: 'there', host: 'box2' } })).text), 'rdv mcp input on the host');
    } finally {
      await stdio.close();
    }
  });

  it('attaches to the host\'s terminal through the primary; a cut link greys the host out and it comes back', async () => {
    const t = attach(hostId, remoteSession);
    await t.opened;
    t.type('echo attached-$((40+2))\r');
    await waitFor(() => /attached-42/.test(t.text()), 'typed through the link');

    sshd.cutConnections();
    await waitFor(() => t.closed() !== null, 'the attached terminal closed with the link');
    await waitFor(async () => (await hostState('box2')).state !== 'connected', 'host marked down');
    await sshd.stop();
    await waitForState('box2', 'unreachable');
    const down = await hostState('box2');
    expect(down.lastError).toBeTruthy();
    // Its sessions stay listed, marked unreachable; nothing is deleted.
    const listed = (await api.call('GET', '/api/sessions?host=all')).body.items.find((s: any) => s.id === remoteSession);
    expect(listed.host).toEqual({ id: hostId, name: 'box2', state: 'unreachable' });
    const refused = await api.call('POST', `/api/sessions/${remoteSession}/exec?host=box2`, { command: 'true' });
    expect(refused.status).toBe(503);
    expect(refused.body.error.message).toContain('box2');

    // What happens on the host meanwhile comes through once the link is back (Last-Event-ID).
    const sse = openSse(api.socket, api.ownerToken);
    const meanwhile = await remote.call('POST', '/api/sessions', { name: 'while away', kind: 'shell' });
    expect(meanwhile.status).toBe(201);

    await sshd.start();
    await waitFor(async () => (await api.call('POST', '/api/hosts/box2/test')).body.state === 'connected', 'host back', 30_000);
    await waitFor(
      () => sse.events.some((e) => e.event === 'host.event' && e.data.data.type === 'session.created' && e.data.data.data.session?.id === meanwhile.body.id),
      'the host\'s event from while the link was down',
      15_000,
    );
    expect(sse.events.some((e) => e.event === 'host.state' && e.data.data.id === hostId && e.data.data.state === 'connected')).toBe(true);
    sse.close();
    const back = (await api.call('GET', '/api/sessions?host=all')).body.items.find((s: any) => s.id === remoteSession);
    expect(back.host.state).toBe('connected');
    const again = attach(hostId, remoteSession);
    await again.opened;
    again.type('echo back-$((50+5))\r');
    await waitFor(() => /back-55/.test(again.text()), 'the terminal re-attached after the link came back');
    // What was typed before the cut is still on the host's screen: the session lived on.
    expect(again.text()).toMatch(/attached-42/);
    again.ws.close();
  });

  it('reports a refused token as its own state', async () => {
    const added = await api.call('POST', '/api/hosts', hostBody('wrong', remote.home, `rdv_cli_${randomBytes(32).toString('base64url')}`));
    expect(added.status).toBe(201);
    await waitForState('wrong', 'unauthorized');
    expect((await hostState('wrong')).lastError).toMatch(/refused the token/);
    expect((await api.call('GET', '/api/sessions?host=wrong')).body.items).toEqual([]);
    expect((await api.call('DELETE', '/api/hosts/wrong')).status).toBe(200);
    expect((await api.call('GET', '/api/hosts/wrong')).status).toBe(404);

    // A token revoked on the host while linked: its event stream ends and the state says why.
    const token = await remote.call('POST', '/api/tokens', { name: 'primary', kind: 'cli' });
    await api.call('POST', '/api/hosts', hostBody('revoked', remote.home, token.body.token));
    await waitForState('revoked', 'connected');
    const seen = (await api.call('GET', '/api/sessions?host=revoked')).body.items;
    expect(seen.length).toBeGreaterThan(0);
    expect((await remote.call('DELETE', `/api/tokens/${token.body.id}`)).status).toBe(200);
    await waitForState('revoked', 'unauthorized', 15_000);
    const kept = (await api.call('GET', '/api/sessions?host=revoked')).body.items;
    expect(kept.map((s: any) => s.id)).toEqual(seen.map((s: any) => s.id));
    expect(kept.every((s: any) => s.host.state === 'unauthorized')).toBe(true);
  });

  it('reports a host running another rdv version instead of failing on it', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    const fake = await startFakeHost(
      { version: '0.0.1-elsewhere', extra: { somethingNew: { nested: true } } },
      {
        [`/api/sessions/${id}/output`]: { type: 'text/html', body: '<script>alert(1)</script>' },
        [`/api/sessions/${id}/output?format=text`]: { type: 'text/plain', body: '<script>alert(1)</script>' },
        [`/api/sessions/${id}`]: { type: 'application/json', body: JSON.stringify({ id, name: 'looks-local', host: null }) },
      },
    );
    await api.call('POST', '/api/hosts', hostBody('older', fake.home, remote.ownerToken));
    await waitForState('older', 'connected');
    expect(await hostState('older')).toMatchObject({ version: '0.0.1-elsewhere', versionMatches: false, lastError: null });
    // What a host answers comes back as JSON or inert text, marked as the host's; never as a page of this origin.
    const html = await api.call('GET', `/api/sessions/${id}/output?host=older`);
    expect(html.status).toBe(503);
    expect(html.body.error.message).toMatch(/older answered with text\/html/);
    const text = await api.call('GET', `/api/sessions/${id}/output?format=text&host=older`);
    expect(text.status).toBe(200);
    expect(text.headers['content-type']).toMatch(/^text\/plain/);
    expect(text.headers['content-security-policy']).toMatch(/sandbox/);
    const posed = await api.call('GET', `/api/sessions/${id}?host=older`);
    expect(posed.body).toMatchObject({ name: 'looks-local', host: { name: 'older' } });
    fake.setHealth({ status: 'ok' });
    await waitFor(async () => /shape this rdv does not know/.test((await hostState('older')).lastError ?? ''), 'an unknown /health shape reported');
    expect((await hostState('older')).state).toBe('connected');
    await fake.stop();
  });
});
