// `rdv knowledge proposals | accept | dismiss | extract` and insight_extract over `rdv mcp`
// (stdio) against the built api: learnings drawn from a real session's log, kept only when
// a person says yes.
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@rdv/core/testing';
import { CLI_MAIN, useRdvHome, useServices } from './helpers.js';

const h = useRdvHome();
const services = useServices(h, ['api']);
beforeAll(() => services.start(), 60_000);
const TRANSCRIPT = fileURLToPath(new URL('../../core/src/knowledge/learn/fixtures/shell-session.log', import.meta.url));

describe('rdv knowledge proposals', { timeout: 120_000 }, () => {
  it('extracts from a session log, lists, accepts edited and dismisses; nothing is knowledge before the yes', async () => {
    await h.json(['folder', 'create', 'pr-app']);
    const s = await h.json(['session', 'create', 'pr-shell', '--folder', 'pr-app', '--cwd', h.home]);
    await h.rdv(['session', 'exec', s.id, `cat ${TRANSCRIPT}`]);
    await waitFor(async () => {
      await h.json(['knowledge', 'extract', 'pr-shell']);
      return (await h.json(['knowledge', 'proposals', '--folder', 'pr-app'])).items.length === 3;
    }, 'three proposals', 20_000, 200);
    expect((await h.rdv(['knowledge', 'extract', 'pr-shell'])).stderr).toMatch(/nothing new to propose from pr-shell \(3 proposed before\)/);
    expect((await h.json(['knowledge', 'list', 'pr-app'])).items).toEqual([]);

    const table = await h.rdv(['knowledge', 'proposals']);
    expect(table.stdout).toMatch(/^ID\s+TITLE\s+FOLDER\s+FROM\s+STATUS\s+PROPOSED\n/);
    expect(table.stdout).toMatch(/npm rebuild better-sqlite3 works where npm test failed\s+pr-app\s+pr-shell\s+proposed/);
    const items = (await h.json(['knowledge', 'proposals', '--folder', 'pr-app'])).items as { id: string; title: string }[];
    const npm = items.find((p) => p.title.startsWith('npm'))!;
    const git = items.find((p) => p.title.startsWith('git'))!;

    const accepted = await h.rdv(['knowledge', 'accept', npm.id.slice(0, 8), '--title', 'Rebuild native modules after a Node upgrade', '--tag', 'node']);
    expect(accepted.stdout).toMatch(/^accepted "Rebuild native modules after a Node upgrade" as knowledge entry [0-9a-f]{8}\n$/);
    expect((await h.rdv(['knowledge', 'dismiss', git.id])).stdout).toBe('dismissed "git pull --rebase works where git push failed"\n');
    const entries = (await h.json(['knowledge', 'list', 'pr-app'])).items;
    expect(entries.map((e: any) => [e.title, e.tags, e.author.kind, e.source?.sessionName])).toEqual([['Rebuild native modules after a Node upgrade', ['node'], 'user', 'pr-shell']]);
    expect((await h.json(['knowledge', 'proposals', '--status', 'dismissed'])).items.map((p: any) => p.id)).toEqual([git.id]);
    const missing = await h.rdv(['knowledge', 'accept', 'ffffffff']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/proposal ffffffff not found; see `rdv knowledge proposals`/);
    const bad = await h.rdv(['knowledge', 'proposals', '--status', 'maybe']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--status/);
    for (const cmd of ['proposals', 'accept', 'dismiss']) expect((await h.rdv(['knowledge', cmd, '--help'])).stdout).toMatch(new RegExp(`Examples:\\n\\s+rdv knowledge ${cmd}`));
  });

  it('insight_extract over rdv mcp, from inside the session (RDV_SESSION_ID), proposes only', async () => {
    const session = (await h.json(['session', 'list', '--all'])).items.find((x: any) => x.name === 'pr-shell');
    const key = (await h.json(['token', 'create', 'pr-agent', '--api-key'])).token as string;
    const client = new Client({ name: 'pr-test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI_MAIN, 'mcp'], env: { ...h.env, RDV_API_KEY: key, RDV_SESSION_ID: session.id }, stderr: 'ignore' }));
    try {
      const r = (await client.callTool({ name: 'insight_extract', arguments: {} })) as { isError?: boolean; structuredContent?: any; content: { text: string }[] };
      expect(r.isError, r.content[0]?.text).toBeFalsy();
      expect(r.structuredContent).toMatchObject({ sessionId: session.id, proposed: [], alreadyProposed: 3 });
      const p = (await client.callTool({ name: 'knowledge_propose', arguments: { title: 'Migrations need python3', body: 'There is no `python` here.' } })) as { structuredContent?: any };
      expect(p.structuredContent).toMatchObject({ kind: 'direct', sessionName: 'pr-shell', status: 'proposed' });
      // An agent's key may list proposals through the CLI too, but never decide.
      const refused = await h.rdv(['knowledge', 'accept', p.structuredContent.id], { env: { RDV_TOKEN: key } });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/only a person/);
      expect((await h.json(['knowledge', 'list', 'pr-app'])).items).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});
