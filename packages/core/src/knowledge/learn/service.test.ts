import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureOwner, resolveUserByEmail } from '../../auth/index.js';
import { schema } from '../../db/index.js';
import { createEventBus } from '../../events/index.js';
import { createFolderService } from '../../folder/index.js';
import { testLogger, useDb, useTempDir } from '../../testing/index.js';
import { createKnowledgeService, createLearningService } from '../index.js';

const FIXTURE = readFileSync(new URL('./fixtures/shell-session.log', import.meta.url));

function setup() {
  const { db } = useDb();
  const dir = useTempDir();
  const events = createEventBus(db);
  const folders = createFolderService({ db, events });
  const knowledge = createKnowledgeService({ db, folders });
  const learnings = createLearningService({ db, events, folders, knowledge, locate: (id) => join(dir, id), log: testLogger(), settleMs: 0 });
  const owner = ensureOwner(db, { email: '', cliTokenPath: join(dir, 'cli-token'), log: testLogger() }).owner;
  const folder = folders.create(owner.id, { name: 'app' });
  const published: string[] = [];
  events.subscribe(owner.id, (e) => published.push(e.type));
  const session = (folderId: string | null = folder.id) => {
    const id = randomUUID();
    db.insert(schema.sessions).values({ id, userId: owner.id, name: `s-${id.slice(0, 4)}`, folderId, tmuxName: `rdv-${id}`, kind: 'agent', agent: 'claude', cwd: dir }).run();
    mkdirSync(join(dir, id));
    return { id, write: (data: Buffer | string) => appendFileSync(join(dir, id, 'output.log'), data) };
  };
  /** What the orchestrator publishes when an agent finishes its turn. */
  const turnEnds = (sessionId: string) =>
    events.publish(owner.id, 'insight.created', { insight: { id: randomUUID(), sessionId, type: 'waiting_input', message: 'finished', context: { reason: 'ready' } } });
  return { db, events, knowledge, learnings, userId: owner.id, folder, session, turnEnds, published };
}

describe('learnings, proposed not imposed', () => {
  it('proposes from the log when a turn ends, reads on from where it stopped, and adds nothing to knowledge by itself', async () => {
    const { learnings, knowledge, userId, folder, session, turnEnds, published } = setup();
    const s = session();
    // The first turn ends after `python` was not found, before `python3` was tried.
    const cut = FIXTURE.lastIndexOf('\n', FIXTURE.indexOf('python3')) + 1;
    s.write(FIXTURE.subarray(0, cut));
    turnEnds(s.id);
    await learnings.idle();
    expect(learnings.list(userId, { folderId: folder.id }).map((p) => p.title)).toEqual(['npm rebuild better-sqlite3 works where npm test failed']);
    expect(published).toContain('proposal.created');

    // The next turn: the rest of the log; what was proposed before is not proposed again.
    s.write(FIXTURE.subarray(cut));
    turnEnds(s.id);
    await learnings.idle();
    const titles = learnings.list(userId, { sessionId: s.id }).map((p) => p.title);
    expect(titles.sort()).toEqual([
      'git pull --rebase works where git push failed',
      'npm rebuild better-sqlite3 works where npm test failed',
      'python3 manage.py migrate works where python manage.py migrate failed',
    ]);
    expect(knowledge.list(userId, folder.id)).toEqual([]);
    // Asked for again, the whole log gives nothing new.
    expect(learnings.extract(userId, s.id)).toMatchObject({ proposed: [], alreadyProposed: 3 });
  });

  it('proposes when a session closes too, and not for a session in no folder', async () => {
    const { events, learnings, userId, folder, session } = setup();
    const s = session();
    s.write(FIXTURE);
    events.publish(userId, 'session.closed', { session: { id: s.id } });
    const loose = session(null);
    loose.write(FIXTURE);
    events.publish(userId, 'session.closed', { session: { id: loose.id } });
    await learnings.idle();
    expect(learnings.list(userId, { folderId: folder.id })).toHaveLength(3);
    expect(learnings.list(userId, {})).toHaveLength(3);
  });

  it('accepts with edits into knowledge written by the person, and a dismissed proposal stays out for good', () => {
    const { learnings, knowledge, userId, folder, session, published } = setup();
    const s = session();
    s.write(FIXTURE);
    const { proposed } = learnings.extract(userId, s.id);
    expect(proposed).toHaveLength(3);
    const [a, b] = proposed;
    const { entry, proposal } = learnings.accept(userId, folder.id, a!.id, { title: 'Rebuild native modules after a Node upgrade', tags: ['node'] }, 'owner');
    expect(proposal).toMatchObject({ status: 'accepted', entryId: entry.id, decidedBy: 'owner' });
    expect(entry).toMatchObject({ title: 'Rebuild native modules after a Node upgrade', body: a!.body, tags: ['node'], author: { kind: 'user' }, source: { proposalId: a!.id, sessionId: s.id } });
    expect(learnings.accept(userId, folder.id, a!.id, {}, 'owner').entry.id).toBe(entry.id);
    expect(() => learnings.dismiss(userId, folder.id, a!.id, 'owner')).toThrow(/accepted/);

    expect(learnings.dismiss(userId, folder.id, b!.id, 'owner').status).toBe('dismissed');
    expect(learnings.dismiss(userId, folder.id, b!.id, 'owner').status).toBe('dismissed');
    expect(knowledge.list(userId, folder.id).map((e) => e.title)).toEqual(['Rebuild native modules after a Node upgrade']);
    // The same log read again proposes neither of them anew.
    expect(learnings.extract(userId, s.id)).toMatchObject({ proposed: [], alreadyProposed: 3 });
    expect(learnings.list(userId, { folderId: folder.id }).map((p) => p.id)).toEqual([proposed[2]!.id]);
    expect(learnings.list(userId, { folderId: folder.id, status: 'dismissed' }).map((p) => p.id)).toEqual([b!.id]);
    expect(published.filter((t) => t === 'proposal.updated')).toHaveLength(2);
  });

  it('keeps what a person typed to a waiting agent, and proposes it at the end of the turn', async () => {
    const { events, learnings, userId, folder, session, turnEnds } = setup();
    const s = session();
    expect(learnings.noteInput(userId, s.id, { text: 'use pnpm, not npm', source: 'prompt' })).toBe(false);
    const insight = { id: randomUUID(), sessionId: s.id, type: 'waiting_input', message: 'asked: Which package manager?', context: { reason: 'question' } };
    events.publish(userId, 'insight.created', { insight });
    expect(learnings.noteInput(userId, s.id, { text: 'use pnpm, not npm', source: 'prompt' })).toBe(true);
    expect(learnings.noteInput(userId, s.id, { text: 'yes', source: 'inject' })).toBe(true);
    events.publish(userId, 'insight.resolved', { insight });
    // Answered, the wait is over: the next prompt is a new instruction, not an unblock.
    expect(learnings.noteInput(userId, s.id, { text: 'now write the tests', source: 'prompt' })).toBe(false);
    turnEnds(s.id);
    await learnings.idle();
    const [p] = learnings.list(userId, { folderId: folder.id });
    expect(p).toMatchObject({ kind: 'unblock', title: 'Unblocked with: use pnpm, not npm', evidence: 'waiting: asked: Which package manager?\ntyped (prompt): use pnpm, not npm' });
    expect(learnings.list(userId, { folderId: folder.id })).toHaveLength(1);
  });

  it('caps proposals per turn and reads no more than the end of a long log', () => {
    const { learnings, userId, session } = setup();
    const s = session();
    const pairs = Array.from({ length: 8 }, (_, i) => `$ tool${i} --old\nerror: bad flag\n$ tool${i} --new\ndone\n`).join('');
    s.write(pairs);
    expect(learnings.extract(userId, s.id, { fromCursor: true }).proposed).toHaveLength(5);
    s.write(`${'filler line\n'.repeat(30_000)}$ late --a\nerror: no\n$ late --b\nok\n$ \n`);
    const next = learnings.extract(userId, s.id, { fromCursor: true });
    expect(next.proposed.map((p) => p.title)).toEqual(['late --b works where late --a failed']);
  });

  it("keeps users apart, and a session in no folder has nowhere to propose to", () => {
    const { db, learnings, userId, folder, session } = setup();
    const s = session();
    s.write(FIXTURE);
    const [p] = learnings.extract(userId, s.id).proposed;
    const other = resolveUserByEmail(db, 'other@example.com');
    expect(() => learnings.extract(other.id, s.id)).toThrow(/not found/);
    expect(() => learnings.list(other.id, { folderId: folder.id })).toThrow(/not found/);
    expect(learnings.list(other.id, {})).toEqual([]);
    expect(() => learnings.accept(other.id, folder.id, p!.id, {}, 'eve')).toThrow(/not found/);
    expect(() => learnings.dismiss(other.id, folder.id, p!.id, 'eve')).toThrow(/not found/);
    expect(learnings.noteInput(other.id, s.id, { text: 'planted', source: 'prompt' })).toBe(false);
    expect(() => learnings.extract(userId, session(null).id)).toThrow(/in no folder/);
  });
});
