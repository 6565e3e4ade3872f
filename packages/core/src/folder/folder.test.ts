import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureOwner, resolveUserByEmail } from '../auth/index.js';
import { createEventBus } from '../events/index.js';
import { testLogger, useDb, useTempDir } from '../testing/index.js';
import { createFolderService } from './index.js';

function setup() {
  const { db } = useDb();
  const events = createEventBus(db);
  const folders = createFolderService({ db, events });
  const owner = ensureOwner(db, { email: '', cliTokenPath: join(useTempDir(), 'cli-token'), log: testLogger() }).owner;
  return { db, events, folders, userId: owner.id };
}

describe('folders', () => {
  it('builds a tree, orders siblings and reports context', () => {
    const { folders, userId } = setup();
    const work = folders.create(userId, { name: 'work' });
    const api = folders.create(userId, { name: 'api', parentId: work.id });
    const web = folders.create(userId, { name: 'web', parentId: work.id });
    expect(folders.children(userId, work.id).map((f) => f.name)).toEqual(['api', 'web']);
    expect(folders.reorder(userId, work.id, [web.id]).map((f) => f.name)).toEqual(['web', 'api']);
    expect(folders.ancestors(userId, api.id).map((f) => f.id)).toEqual([work.id]);
    expect(folders.children(userId, null).map((f) => f.id)).toEqual([work.id]);
  });

  it('refuses cycles and unknown parents', () => {
    const { folders, userId } = setup();
    const a = folders.create(userId, { name: 'a' });
    const b = folders.create(userId, { name: 'b', parentId: a.id });
    expect(() => folders.update(userId, a.id, { parentId: b.id })).toThrow(/own subfolder/);
    expect(() => folders.update(userId, a.id, { parentId: a.id })).toThrow(/own parent/);
    expect(() => folders.create(userId, { name: 'c', parentId: '00000000-0000-4000-8000-000000000000' })).toThrow(/not found/);
    const moved = folders.update(userId, b.id, { parentId: null, name: 'b2' });
    expect(moved).toMatchObject({ parentId: null, name: 'b2' });
  });

  it('delete moves children up to the parent and is idempotent', () => {
    const { folders, userId } = setup();
    const top = folders.create(userId, { name: 'top' });
    const mid = folders.create(userId, { name: 'mid', parentId: top.id });
    const leaf = folders.create(userId, { name: 'leaf', parentId: mid.id });
    expect(folders.delete(userId, mid.id)).toMatchObject({ deleted: true, movedFolders: 1 });
    expect(folders.get(userId, leaf.id).parentId).toBe(top.id);
    expect(folders.delete(userId, mid.id)).toMatchObject({ deleted: false });
  });

  it("keeps users apart: another user's folder is not found", () => {
    const { db, folders, userId } = setup();
    const mine = folders.create(userId, { name: 'mine' });
    const other = resolveUserByEmail(db, 'other@example.com');
    expect(() => folders.get(other.id, mine.id)).toThrow(/not found/);
    expect(folders.list(other.id)).toEqual([]);
    expect(folders.delete(other.id, mine.id).deleted).toBe(false);
    expect(folders.get(userId, mine.id).name).toBe('mine');
  });

  it('inherits preferences user → ancestors → folder', () => {
    const { folders, userId } = setup();
    folders.updatePreferences(userId, { defaultCwd: '/srv', defaultAgent: 'claude', env: { A: 'user', B: 'user' } });
    const top = folders.create(userId, { name: 'top', defaultCwd: '/srv/top', env: { B: 'top', C: 'top' } });
    const child = folders.create(userId, { name: 'child', parentId: top.id, defaultAgent: 'codex', env: { C: 'child' } });
    const eff = folders.effectivePreferences(userId, child.id);
    expect(eff).toMatchObject({
      defaultCwd: '/srv/top',
      defaultAgent: 'codex',
      env: { A: 'user', B: 'top', C: 'child' },
      sources: { defaultCwd: top.id, defaultAgent: child.id },
    });
    expect(folders.effectivePreferences(userId, null)).toMatchObject({ defaultCwd: '/srv', sources: { defaultCwd: 'user' } });
  });

  it('publishes events for changes', () => {
    const { events, folders, userId } = setup();
    const seen: string[] = [];
    events.subscribe(userId, (e) => seen.push(e.type));
    const f = folders.create(userId, { name: 'x' });
    folders.update(userId, f.id, { name: 'y' });
    folders.delete(userId, f.id);
    expect(seen).toEqual(['folder.created', 'folder.updated', 'folder.deleted']);
    expect(events.since(userId, 0).map((e) => e.type)).toEqual(seen);
  });
});
