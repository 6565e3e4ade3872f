import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureOwner, resolveUserByEmail } from '../auth/index.js';
import { createEventBus } from '../events/index.js';
import { createFolderService } from '../folder/index.js';
import { testLogger, useDb, useTempDir } from '../testing/index.js';
import { createKnowledgeService } from './index.js';

function setup() {
  const { db } = useDb();
  const folders = createFolderService({ db, events: createEventBus(db) });
  const knowledge = createKnowledgeService({ db, folders });
  const owner = ensureOwner(db, { email: '', cliTokenPath: join(useTempDir(), 'cli-token'), log: testLogger() }).owner;
  const work = folders.create(owner.id, { name: 'work' });
  const api = folders.create(owner.id, { name: 'api', parentId: work.id });
  const web = folders.create(owner.id, { name: 'web', parentId: work.id });
  return { db, folders, knowledge, userId: owner.id, work, api, web };
}

describe('folder knowledge', () => {
  it('is inherited down the tree: a folder sees its own entries and its ancestors\'', () => {
    const { knowledge, userId, work, api, web } = setup();
    knowledge.create(userId, work.id, { title: 'Run tests with npm test', body: 'Use `nice -n 10`.', tags: ['testing'] });
    knowledge.create(userId, api.id, { title: 'The api listens on a unix socket', body: 'run/api.sock', tags: [] });
    expect(knowledge.list(userId, api.id).map((e) => [e.title, e.inherited, e.folderName])).toEqual([
      ['Run tests with npm test', true, 'work'],
      ['The api listens on a unix socket', false, 'api'],
    ]);
    expect(knowledge.list(userId, web.id).map((e) => e.title)).toEqual(['Run tests with npm test']);
    expect(knowledge.list(userId, work.id).map((e) => e.title)).toEqual(['Run tests with npm test']);
    expect(knowledge.list(userId, api.id, { own: true }).map((e) => e.title)).toEqual(['The api listens on a unix socket']);
    expect(knowledge.list(userId, api.id, { tag: 'Testing' })[0]!.tags).toEqual(['testing']);
  });

  it('searches the folder chain only, ranks title matches first and marks the snippet', () => {
    const { knowledge, userId, work, api, web } = setup();
    knowledge.create(userId, work.id, { title: 'Deploying', body: 'The migration runs before the deploy; check the journal order.', tags: [] });
    knowledge.create(userId, api.id, { title: 'Migration order', body: 'Regenerate after a merge.', tags: ['db'] });
    knowledge.create(userId, web.id, { title: 'Migration in the web', body: 'Never seen from api.', tags: [] });
    const hits = knowledge.search(userId, api.id, 'migration');
    expect(hits.map((h) => h.entry.title)).toEqual(['Migration order', 'Deploying']);
    expect(hits[0]!.rank).toBeLessThan(hits[1]!.rank);
    expect(hits[1]!.snippet).toContain('**migration**');
    expect(knowledge.search(userId, api.id, '"journal order"').map((h) => h.entry.title)).toEqual(['Deploying']);
    // FTS5 syntax in the query means its words, not operators.
    expect(knowledge.search(userId, api.id, 'NOT migration OR')).toEqual([]);
    expect(knowledge.search(userId, api.id, 'db:').map((h) => h.entry.title)).toEqual(['Migration order']);
  });

  it('keeps the index in step with updates and deletes, and changes only the folder\'s own entries', () => {
    const { knowledge, userId, work, api } = setup();
    const e = knowledge.create(userId, work.id, { title: 'Old title', body: 'alpha', tags: [] });
    expect(() => knowledge.update(userId, api.id, e.id, { title: 'x' })).toThrow(/another folder/);
    knowledge.update(userId, work.id, e.id, { body: 'bravo' });
    expect(knowledge.search(userId, api.id, 'alpha')).toEqual([]);
    expect(knowledge.search(userId, api.id, 'bravo')).toHaveLength(1);
    expect(knowledge.delete(userId, work.id, e.id)).toEqual({ id: e.id, deleted: true });
    expect(knowledge.delete(userId, work.id, e.id)).toEqual({ id: e.id, deleted: false });
    expect(knowledge.search(userId, api.id, 'bravo')).toEqual([]);
  });

  it("keeps users apart: another user's folders and entries are not found", () => {
    const { db, knowledge, userId, work } = setup();
    const e = knowledge.create(userId, work.id, { title: 'secret plan', body: '', tags: [] });
    const other = resolveUserByEmail(db, 'other@example.com');
    expect(() => knowledge.list(other.id, work.id)).toThrow(/not found/);
    expect(() => knowledge.create(other.id, work.id, { title: 'x', body: '', tags: [] })).toThrow(/not found/);
    expect(() => knowledge.search(other.id, work.id, 'secret')).toThrow(/not found/);
    expect(() => knowledge.update(other.id, work.id, e.id, { title: 'y' })).toThrow(/not found/);
    expect(knowledge.get(userId, work.id, e.id).title).toBe('secret plan');
  });

  it('renders the chain as one markdown document, cut with a note past the cap', () => {
    const { knowledge, userId, work, api } = setup();
    knowledge.create(userId, work.id, { title: 'Root rule', body: 'x'.repeat(600), tags: [] });
    knowledge.create(userId, api.id, { title: 'Near rule', body: 'near', tags: ['a'] });
    const full = knowledge.document(userId, api.id);
    expect(full).toMatchObject({ entries: 2, truncated: false });
    expect(full.markdown.indexOf('## work')).toBeLessThan(full.markdown.indexOf('## api'));
    expect(full.markdown).toContain('### Near rule');
    const cut = knowledge.document(userId, api.id, 700);
    expect(cut.truncated).toBe(true);
    expect(cut.markdown).toContain('### Near rule');
    expect(cut.markdown).not.toContain('### Root rule');
    expect(cut.markdown).toMatch(/Cut to 700 characters: 1 of 2 entries left out/);
    expect(cut.markdown.length).toBeLessThanOrEqual(700);
  });

  it('deletes a folder\'s entries with the folder', () => {
    const { knowledge, folders, userId, work, api } = setup();
    knowledge.create(userId, api.id, { title: 'goes away', body: '', tags: [] });
    folders.delete(userId, api.id);
    expect(knowledge.list(userId, work.id)).toEqual([]);
    expect(knowledge.search(userId, work.id, 'goes')).toEqual([]);
  });
});
