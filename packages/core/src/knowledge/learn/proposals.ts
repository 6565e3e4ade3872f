import { randomUUID } from 'node:crypto';
import { and, desc, eq, type SQL } from 'drizzle-orm';
import { AppError } from '../../errors/index.js';
import { schema, type Db } from '../../db/index.js';
import type { EventBus } from '../../events/index.js';
import type { FolderService } from '../../folder/index.js';
import type { AcceptProposal, CreateProposal, KnowledgeEntry, KnowledgeProposal } from '../../schemas/index.js';
import type { KnowledgeService } from '../service.js';
import { proposalHash, type Learning } from './learnings.js';

type ProposalRow = typeof schema.knowledgeProposals.$inferSelect;
type Status = KnowledgeProposal['status'];

function toProposal(r: ProposalRow): KnowledgeProposal {
  return {
    id: r.id,
    folderId: r.folderId,
    sessionId: r.sessionId,
    sessionName: r.sessionName,
    kind: r.kind,
    title: r.title,
    body: r.body,
    evidence: r.evidence,
    status: r.status,
    entryId: r.entryId,
    decidedBy: r.decidedBy,
    decidedAt: r.decidedAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  };
}

export interface ProposalStore {
  /** The user's proposals, newest first: one folder's, one session's, or all; `proposed` ones unless asked. */
  list(userId: string, filter: { folderId?: string; sessionId?: string; status?: Status | 'all' }): KnowledgeProposal[];
  /** An agent's or a person's own proposal on a folder (`sessionId`: one of the user's sessions it comes from). conflict when the same text was proposed there before. */
  create(userId: string, folderId: string, input: CreateProposal): KnowledgeProposal;
  /**
   * Stores what an extraction found for a session in its folder; text proposed there before
   * (whatever became of it) is skipped. Returns the new ones and how many were skipped.
   */
  add(userId: string, session: { id: string; name: string; folderId: string }, found: Learning[]): { added: KnowledgeProposal[]; known: number };
  /** A person's yes: the (optionally edited) proposal becomes a knowledge entry written by that person. Accepting twice returns the first entry. */
  accept(userId: string, folderId: string, id: string, edits: AcceptProposal, by: string): { proposal: KnowledgeProposal; entry: KnowledgeEntry };
  /** A person's no. Idempotent; conflict for an accepted one (delete its entry instead). */
  dismiss(userId: string, folderId: string, id: string, by: string): KnowledgeProposal;
}

/** Proposals in the database, each change published as proposal.created / proposal.updated. */
export function createProposalStore(deps: { db: Db; events: EventBus; folders: FolderService; knowledge: KnowledgeService }): ProposalStore {
  const { db, events, folders, knowledge } = deps;
  const T = schema.knowledgeProposals;
  const publish = (userId: string, type: 'proposal.created' | 'proposal.updated', p: KnowledgeProposal) => {
    events.publish(userId, type, { proposal: p });
    return p;
  };
  const insert = (userId: string, values: Omit<typeof T.$inferInsert, 'id' | 'userId' | 'hash' | 'createdAt'>): KnowledgeProposal | null => {
    const r = db
      .insert(T)
      .values({ ...values, id: randomUUID(), userId, hash: proposalHash(values.title, values.body ?? ''), createdAt: new Date() })
      .onConflictDoNothing({ target: [T.folderId, T.hash] })
      .returning()
      .get();
    return r ? publish(userId, 'proposal.created', toProposal(r)) : null;
  };
  const row = (userId: string, folderId: string, id: string): ProposalRow => {
    folders.get(userId, folderId);
    const r = db.select().from(T).where(and(eq(T.id, id), eq(T.userId, userId), eq(T.folderId, folderId))).get();
    if (!r) throw new AppError('not_found', `proposal ${id} not found in this folder`);
    return r;
  };

  return {
    list(userId, filter) {
      if (filter.folderId) folders.get(userId, filter.folderId);
      const where: SQL[] = [eq(T.userId, userId)];
      if (filter.folderId) where.push(eq(T.folderId, filter.folderId));
      if (filter.sessionId) where.push(eq(T.sessionId, filter.sessionId));
      const status = filter.status ?? 'proposed';
      if (status !== 'all') where.push(eq(T.status, status));
      return db.select().from(T).where(and(...where)).orderBy(desc(T.createdAt)).limit(500).all().map(toProposal);
    },
    create(userId, folderId, input) {
      folders.get(userId, folderId);
      let session: { id: string; name: string } | null = null;
      if (input.sessionId) {
        session = db
          .select({ id: schema.sessions.id, name: schema.sessions.name })
          .from(schema.sessions)
          .where(and(eq(schema.sessions.id, input.sessionId), eq(schema.sessions.userId, userId)))
          .get() ?? null;
        if (!session) throw new AppError('not_found', `session ${input.sessionId} not found`);
      }
      const p = insert(userId, { folderId, sessionId: session?.id ?? null, sessionName: session?.name ?? null, kind: 'direct', title: input.title, body: input.body, evidence: input.evidence });
      if (!p) throw new AppError('conflict', 'the same proposal was made in this folder before');
      return p;
    },
    add(userId, session, found) {
      const added: KnowledgeProposal[] = [];
      for (const l of found) {
        const p = insert(userId, { folderId: session.folderId, sessionId: session.id, sessionName: session.name, kind: l.kind, title: l.title, body: l.body, evidence: l.evidence });
        if (p) added.push(p);
      }
      return { added, known: found.length - added.length };
    },
    accept(userId, folderId, id, edits, by) {
      const r = row(userId, folderId, id);
      if (r.status === 'accepted' && r.entryId) {
        try {
          return { proposal: toProposal(r), entry: knowledge.get(userId, folderId, r.entryId) };
        } catch {
          // Its entry was deleted since: accepting again makes a new one.
        }
      }
      const accepted = db.transaction(() => {
        const input = { title: edits.title ?? r.title, body: edits.body ?? r.body, tags: edits.tags ?? [] };
        const entry = knowledge.create(userId, folderId, input, { proposalId: r.id, sessionId: r.sessionId, sessionName: r.sessionName });
        const next = db.update(T).set({ status: 'accepted', entryId: entry.id, decidedBy: by, decidedAt: new Date() }).where(eq(T.id, r.id)).returning().get();
        return { proposal: toProposal(next), entry };
      });
      publish(userId, 'proposal.updated', accepted.proposal);
      return accepted;
    },
    dismiss(userId, folderId, id, by) {
      const r = row(userId, folderId, id);
      if (r.status === 'dismissed') return toProposal(r);
      if (r.status === 'accepted') throw new AppError('conflict', `proposal ${id} was accepted; delete its knowledge entry instead`);
      const next = db.update(T).set({ status: 'dismissed', decidedBy: by, decidedAt: new Date() }).where(eq(T.id, r.id)).returning().get();
      return publish(userId, 'proposal.updated', toProposal(next));
    },
  };
}
