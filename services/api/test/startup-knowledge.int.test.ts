// A new agent session in a folder is started with the folder's knowledge: fake agents on
// the session's PATH (its login shell's ~/.profile puts ~/bin there) record their argv.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir, waitFor } from '@rdv/core/testing';
import { useApi } from './helpers.js';

const api = await useApi();
const home = useTempDir('file', 'rdv-agent-home-');
mkdirSync(join(home, 'bin'));
writeFileSync(join(home, '.profile'), 'PATH="$HOME/bin:$PATH"; export PATH\n');
// Each fake agent writes its arguments, NUL-separated, into $HOME (whole, by a rename), then waits like an agent.
for (const agent of ['claude', 'codex', 'gemini', 'opencode']) {
  const path = join(home, 'bin', agent);
  const out = `"$HOME/${agent}.argv"`;
  writeFileSync(path, `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a"; done > ${out}.tmp\nmv ${out}.tmp ${out}\nexec sleep 600\n`);
  chmodSync(path, 0o755);
}

async function argvOf(agent: string, folderId: string, name: string): Promise<string[]> {
  const file = join(home, `${agent}.argv`);
  rmSync(file, { force: true });
  const created = await api.call('POST', '/api/sessions', { name, kind: 'agent', agent, folderId, cwd: home, env: { HOME: home } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const { text } = await waitFor(() => (existsSync(file) ? { text: readFileSync(file, 'utf8') } : null), `${agent} started`);
  await api.call('DELETE', `/api/sessions/${created.body.id}`);
  return text.split('\0').slice(0, -1);
}

/** The value after `flag` (rdv's own hook flags, such as --settings, may come first). */
function valueOf(argv: string[], flag: string, startsWith = ''): string | undefined {
  const i = argv.findIndex((a, j) => a === flag && (argv[j + 1] ?? '').startsWith(startsWith));
  return i >= 0 ? argv[i + 1] : undefined;
}

describe('knowledge at the start of a session', () => {
  // Hostile on purpose: nothing in it may be run or expanded by the session's shell.
  const hostile = 'Never run `rm -rf /`; $(touch pwned) "quoted" \'single\' $HOME\nsecond line';

  it('hands claude the folder chain\'s knowledge with --append-system-prompt, text intact', async () => {
    const top = (await api.call('POST', '/api/folders', { name: 'sk-top' })).body;
    const sub = (await api.call('POST', '/api/folders', { name: 'sk-sub', parentId: top.id })).body;
    await api.call('POST', `/api/folders/${top.id}/knowledge`, { title: 'House rule', body: hostile });
    await api.call('POST', `/api/folders/${sub.id}/knowledge`, { title: 'Sub rule', body: 'use pnpm' });
    const argv = await argvOf('claude', sub.id, 'sk-claude');
    expect(argv.filter((a) => a === '--append-system-prompt')).toHaveLength(1);
    const doc = (await api.call('GET', `/api/folders/${sub.id}/knowledge/document`)).body.markdown;
    const given = valueOf(argv, '--append-system-prompt');
    expect(given).toBe(doc.replace(/\n+$/, ''));
    expect(given).toContain(hostile);
    expect(existsSync(join(home, 'pwned'))).toBe(false);
    const sessions = (await api.call('GET', '/api/sessions?status=all')).body.items;
    const file = join(api.home, 'sessions', sessions.find((s: any) => s.name === 'sk-claude').id, 'knowledge.md');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('gives codex a TOML string, gemini and opencode an opening prompt', async () => {
    const f = (await api.call('POST', '/api/folders', { name: 'sk-many' })).body;
    await api.call('POST', `/api/folders/${f.id}/knowledge`, { title: 'Rule', body: hostile });
    const doc = (await api.call('GET', `/api/folders/${f.id}/knowledge/document`)).body.markdown;
    const codex = valueOf(await argvOf('codex', f.id, 'sk-codex'), '-c', 'developer_instructions=');
    // JSON's string escapes are valid TOML basic-string escapes.
    expect(JSON.parse(codex!.slice('developer_instructions='.length))).toBe(doc);
    expect(valueOf(await argvOf('gemini', f.id, 'sk-gemini'), '--prompt-interactive')).toContain(hostile);
    expect(valueOf(await argvOf('opencode', f.id, 'sk-opencode'), '--prompt')).toContain('Read it, say in one line that you have');
    expect(existsSync(join(home, 'pwned'))).toBe(false);
  });

  it('starts an agent as before in a folder without knowledge, and cuts a large document with a note', async () => {
    const empty = (await api.call('POST', '/api/folders', { name: 'sk-empty' })).body;
    expect(await argvOf('claude', empty.id, 'sk-plain')).not.toContain('--append-system-prompt');
    const big = (await api.call('POST', '/api/folders', { name: 'sk-big' })).body;
    for (let i = 0; i < 6; i++) await api.call('POST', `/api/folders/${big.id}/knowledge`, { title: `Entry ${i}`, body: 'x'.repeat(5000) });
    const given = valueOf(await argvOf('claude', big.id, 'sk-big-claude'), '--append-system-prompt');
    expect(given!.length).toBeLessThanOrEqual(16_000);
    expect(given).toMatch(/Cut to 16000 characters: 3 of 6 entries left out/);
  });
});
