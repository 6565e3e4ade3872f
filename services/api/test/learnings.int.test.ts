// Learnings, proposed not imposed: a fake agent in a real tmux session whose turn prints a
// recorded transcript (an error, then the command that worked) and ends through its hooks;
// rdv proposes from the session's log, and only a person's yes makes it knowledge.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { socketRequest } from '@rdv/core/lifecycle';
import { useFakeAgents, waitFor } from '@rdv/core/testing';
import { openSse, useApi } from './helpers.js';

const api = await useApi({ RDV_ALLOWED_EMAILS: 'eve@example.com' });
const fakes = useFakeAgents();
const agent = new Agent({ connect: { socketPath: api.socket } });
afterAll(() => agent.close());
const TRANSCRIPT = fileURLToPath(new URL('../../../packages/core/src/knowledge/learn/fixtures/shell-session.log', import.meta.url));

async function agentIn(folderId: string, name: string): Promise<string> {
  const before = fakes.entries().filter((e) => e.started).length;
  const r = await api.call('POST', '/api/sessions', { name, kind: 'agent', agent: 'claude', folderId, env: fakes.env });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  await waitFor(() => fakes.entries().filter((e) => e.started).length > before, 'the agent started', 15_000);
  return r.body.id as string;
}
/** A suffix of the running attempt: a retried test must not meet the names its first try made. */
let attemptNo = 0;
const attempt = () => String(attemptNo);
beforeEach(() => {
  attemptNo += 1;
});
const prompt = (id: string, text: string) => api.call('POST', `/api/sessions/${id}/exec`, { command: text });
const proposals = async (folderId: string, status = 'proposed') => (await api.call('GET', `/api/folders/${folderId}/knowledge/proposals?status=${status}`)).body.items as any[];

describe('learnings proposed from a session log', () => {
  it('proposes when the turn ends; nothing is knowledge until a person accepts, a dismissed one stays out, an API key cannot decide', async () => {
    const sse = openSse(api.socket, api.ownerToken);
    try {
      const folder = (await api.call('POST', '/api/folders', { name: `learn-app-${attempt()}` })).body;
      const learner = `learner-${attempt()}`;
      const id = await agentIn(folder.id, learner);
      await prompt(id, `replay ${TRANSCRIPT}`);
      const found = await waitFor(async () => {
        const items = await proposals(folder.id);
        return items.length === 3 ? items : null;
      }, 'three proposals', 20_000, 100);
      expect(found.map((p) => p.title).sort()).toEqual([
        'git pull --rebase works where git push failed',
        'npm rebuild better-sqlite3 works where npm test failed',
        'python3 manage.py migrate works where python manage.py migrate failed',
      ]);
      const npm = found.find((p) => p.title.startsWith('npm'))!;
      expect(npm).toMatchObject({ kind: 'error_fix', status: 'proposed', sessionId: id, sessionName: learner, entryId: null });
      expect(npm.evidence).toContain("Error: Cannot find module 'better-sqlite3'");
      expect(sse.events.filter((e) => e.event === 'proposal.created').map((e) => e.data.data.proposal.id).sort()).toEqual(found.map((p) => p.id).sort());
      expect((await api.call('GET', `/api/sessions/${id}/proposals`)).body.items).toHaveLength(3);
      // Nothing entered the folder's knowledge by itself.
      expect((await api.call('GET', `/api/folders/${folder.id}/knowledge`)).body.items).toEqual([]);

      // An agent's key may list and propose, never decide.
      const key = (await api.call('POST', '/api/tokens', { name: 'learn-agent', kind: 'api_key' })).body.token as string;
      const asAgent = api.as(key);
      expect((await asAgent('GET', `/api/folders/${folder.id}/knowledge/proposals`)).body.items).toHaveLength(3);
      const byAgent = await asAgent('POST', `/api/folders/${folder.id}/knowledge/proposals`, { title: 'Use nice for tests', body: 'nice -n 10', sessionId: id });
      expect(byAgent.status).toBe(201);
      expect(byAgent.body).toMatchObject({ kind: 'direct', sessionName: learner });
      expect((await asAgent('POST', `/api/folders/${folder.id}/knowledge/proposals`, { title: 'Use nice for tests', body: 'nice -n 10' })).status).toBe(409);
      for (const action of ['accept', 'dismiss']) {
        const refused = await asAgent('POST', `/api/folders/${folder.id}/knowledge/proposals/${npm.id}/${action}`, action === 'accept' ? {} : undefined);
        expect(refused.status, action).toBe(403);
        expect(refused.body.error.message).toMatch(/only a person/);
      }
      expect((await api.call('GET', `/api/folders/${folder.id}/knowledge`)).body.items).toEqual([]);

      // A person accepts one, edited; dismisses another.
      const accepted = await api.call('POST', `/api/folders/${folder.id}/knowledge/proposals/${npm.id}/accept`, { title: 'Rebuild native modules after a Node upgrade', tags: ['node'] });
      expect(accepted.status).toBe(200);
      expect(accepted.body.entry).toMatchObject({ title: 'Rebuild native modules after a Node upgrade', body: npm.body, tags: ['node'], author: { kind: 'user' }, source: { proposalId: npm.id, sessionId: id, sessionName: learner } });
      expect(accepted.body.proposal).toMatchObject({ status: 'accepted', entryId: accepted.body.entry.id });
      const git = found.find((p) => p.title.startsWith('git'))!;
      expect((await api.call('POST', `/api/folders/${folder.id}/knowledge/proposals/${git.id}/dismiss`)).body.status).toBe('dismissed');
      expect((await api.call('GET', `/api/folders/${folder.id}/knowledge`)).body.items.map((e: any) => e.title)).toEqual(['Rebuild native modules after a Node upgrade']);
      await waitFor(() => sse.events.filter((e) => e.event === 'proposal.updated').length >= 2, 'proposal.updated on SSE', 5000);

      // The same log asked again: nothing new, the dismissed one stays out.
      const again = await api.call('POST', `/api/sessions/${id}/proposals/extract`);
      expect(again.body).toMatchObject({ proposed: [], alreadyProposed: 3 });
      expect((await proposals(folder.id)).map((p) => p.id).sort()).toEqual([byAgent.body.id, found.find((p) => p.title.startsWith('python3'))!.id].sort());
      expect((await proposals(folder.id, 'dismissed')).map((p) => p.id)).toEqual([git.id]);

      await api.call('DELETE', `/api/sessions/${id}`);
    } finally {
      sse.close();
    }
  }, 90_000);

  it('proposes what a person typed to unblock a waiting agent', async () => {
    const folder = (await api.call('POST', '/api/folders', { name: 'learn-unblock' })).body;
    const id = await agentIn(folder.id, 'asker');
    await prompt(id, 'question Which package manager?|npm|yarn');
    await waitFor(async () => (await api.call('GET', `/api/insights?open=true&sessionId=${id}`)).body.items.find((i: any) => i.message.includes('asked:')), 'the question', 15_000, 50);
    // The person answers in words instead of picking an option; the agent then does its work.
    await prompt(id, 'use pnpm here, the lockfile is pnpm-lock.yaml');
    await waitFor(() => fakes.entries().filter((e) => e.hook === 'UserPromptSubmit').length > 0, 'the prompt hook ran', 10_000);
    await prompt(id, 'work');
    const [p] = await waitFor(async () => {
      const items = await proposals(folder.id);
      return items.length ? items : null;
    }, 'an unblock proposal', 20_000, 100);
    expect(p).toMatchObject({ kind: 'unblock', title: 'Unblocked with: use pnpm here, the lockfile is pnpm-lock.yaml' });
    expect(p.evidence).toMatch(/^waiting: .*asked: Which package manager\?\ntyped \(prompt\): use pnpm here/);
    // The prompt after the answer was an instruction, not an unblock.
    expect(await proposals(folder.id)).toHaveLength(1);
    await api.call('DELETE', `/api/sessions/${id}`);
  }, 60_000);

  it("keeps another user's proposals and sessions unreachable", async () => {
    const serviceToken = readFileSync(join(api.home, 'server', 'service-token'), 'utf8').trim();
    const other = await api.edge('/resolve-user', { email: 'eve@example.com' });
    const asOther = (method: string, path: string, body?: unknown) =>
      socketRequest<any>(api.socket, path, { method, body, headers: { 'x-rdv-service-token': serviceToken, 'x-rdv-user-id': other.body.id } });
    const folder = (await api.call('POST', '/api/folders', { name: 'learn-private' })).body;
    const s = (await api.call('POST', '/api/sessions', { name: 'learn-private-s', kind: 'shell', folderId: folder.id })).body;
    const mine = (await api.call('POST', `/api/folders/${folder.id}/knowledge/proposals`, { title: 'private lesson', sessionId: s.id })).body;
    for (const [method, path, body] of [
      ['GET', `/api/folders/${folder.id}/knowledge/proposals`],
      ['POST', `/api/folders/${folder.id}/knowledge/proposals`, { title: 'planted' }],
      ['POST', `/api/folders/${folder.id}/knowledge/proposals/${mine.id}/accept`, {}],
      ['POST', `/api/folders/${folder.id}/knowledge/proposals/${mine.id}/dismiss`],
      ['GET', `/api/sessions/${s.id}/proposals`],
      ['POST', `/api/sessions/${s.id}/proposals/extract`],
    ] as Array<[string, string, unknown?]>) {
      expect((await asOther(method, path, body)).status, `${method} ${path}`).toBe(404);
    }
    expect((await asOther('GET', '/api/knowledge/proposals?status=all')).body.items).toEqual([]);
    expect((await api.call('GET', `/api/folders/${folder.id}/knowledge/proposals`)).body.items.map((p: any) => p.title)).toEqual(['private lesson']);
    await api.call('DELETE', `/api/sessions/${s.id}`);
  });

  it('insight_extract and knowledge_propose over MCP on /mcp: proposals, never knowledge', async () => {
    const folderName = `learn-mcp-${attempt()}`;
    const folder = (await api.call('POST', '/api/folders', { name: folderName })).body;
    const s = (await api.call('POST', '/api/sessions', { name: `${folderName}-s`, kind: 'shell', folderId: folder.id })).body;
    await api.call('POST', `/api/sessions/${s.id}/exec`, { command: `cat ${TRANSCRIPT}` });
    const key = (await api.call('POST', '/api/tokens', { name: 'learn-mcp-agent', kind: 'api_key' })).body.token as string;
    const transport = new StreamableHTTPClientTransport(new URL('http://rdv/mcp'), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
      fetch: (url, init) => undiciFetch(url, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>,
    });
    const client = new Client({ name: 'learn-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const call = async (name: string, args: Record<string, unknown>) => {
        const r = (await client.callTool({ name, arguments: args })) as { isError?: boolean; content: { text: string }[]; structuredContent?: any };
        if (r.isError) throw new Error(`${name}: ${r.content[0]?.text}`);
        return r.structuredContent;
      };
      // The log fills while the shell prints; asked until all three pairs are in it.
      let proposed = 0;
      await waitFor(async () => {
        const r = await call('insight_extract', { session: `${folderName}-s` });
        proposed += r.proposed.length;
        return r.alreadyProposed + r.proposed.length === 3;
      }, 'three proposals over MCP', 15_000, 200);
      expect(proposed).toBe(3);
      const p = await call('knowledge_propose', { folder: folderName, title: 'Check the lockfile first', body: 'pnpm-lock.yaml means pnpm' });
      expect(p).toMatchObject({ kind: 'direct', status: 'proposed', folderId: folder.id });
      expect(await proposals(folder.id)).toHaveLength(4);
      expect((await api.call('GET', `/api/folders/${folder.id}/knowledge`)).body.items).toEqual([]);
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names.filter((n) => /accept|dismiss/.test(n))).toEqual([]);
    } finally {
      await client.close();
      await api.call('DELETE', `/api/sessions/${s.id}`);
    }
  });
});
