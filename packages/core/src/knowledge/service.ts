import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { AppError } from '../errors/index.js';
import { schema, type Db } from '../db/index.js';
import type { FolderService } from '../folder/index.js';
import type {
  CreateKnowledge,
  Folder,
  KnowledgeDocument,
  KnowledgeEntry,
  KnowledgeHit,
  SessionNote,
  UpdateKnowledge,
} from '../schemas/index.js';
import { DEFAULT_DOCUMENT_CHARS, renderKnowledgeDocument } from './document.js';
import { tagsToColumn, toEntry, toNote, type KnowledgeRow } from './rows.js';
import { searchKnowledge } from './search.js';

export interface KnowledgeService {
  /** The folder's entries and (unless `own`) its ancestors', root first, then oldest first. not_found for another user's folder. */
  list(userId: string, folderId: string, opts?: { own?: boolean; tag?: string }): KnowledgeEntry[];
  get(userId: string, folderId: string, id: string): KnowledgeEntry;
  /**
   * Adds an entry to the folder, written by the user or (`sessionId`) one of their sessions;
   * `source` names the proposal a person accepted it from.
   */
  create(userId: string, folderId: string, input: CreateKnowledge, source?: EntrySource): KnowledgeEntry;
  /** Changes one of the folder's own entries (an inherited one is changed in its own folder). */
  update(userId: string, folderId: string, id: string, patch: UpdateKnowledge): KnowledgeEntry;
  /** Deletes one of the folder's own entries. Idempotent. */
  delete(userId: string, folderId: string, id: string): { id: string; deleted: boolean };
  /** FTS5 search over the folder chain's entries, best (bm25) first, with snippets. */
  search(userId: string, folderId: string, q: string, limit?: number): KnowledgeHit[];
  /** The chain's knowledge as one markdown document, cut to `maxChars` with a note. */
  document(userId: string, folderId: string, maxChars?: number): KnowledgeDocument;
  /** Notes on a session (the user's own). */
  listNotes(userId: string, sessionId: string): SessionNote[];
  addNote(userId: string, sessionId: string, body: string): SessionNote;
}

/** Where an accepted entry came from (see learn/). */
export interface EntrySource {
  proposalId: string;
  sessionId: string | null;
  sessionName: string | null;
}

export function createKnowledgeService(deps: { db: Db; folders: FolderService }): KnowledgeService {
  const { db, folders } = deps;

  /** The folder and its ancestors, root first (not_found for another user's folder). */
  const chainOf = (userId: string, folderId: string): Folder[] => [...folders.ancestors(userId, folderId), folders.get(userId, folderId)];
  const view = (chain: Folder[], askedId: string) => {
    const byId = new Map(chain.map((f) => [f.id, f]));
    return (r: KnowledgeRow) => toEntry(r, byId.get(r.folderId) ?? { id: r.folderId, name: '?' }, askedId);
  };

  const ownRow = (userId: string, folderId: string, id: string): KnowledgeRow => {
    folders.get(userId, folderId);
    const r = db
      .select()
      .from(schema.knowledgeEntries)
      .where(and(eq(schema.knowledgeEntries.id, id), eq(schema.knowledgeEntries.userId, userId)))
      .get();
    if (!r) throw new AppError('not_found', `knowledge entry ${id} not found`);
    if (r.folderId !== folderId) throw new AppError('conflict', `entry ${id} belongs to another folder (${r.folderId}); change it there`);
    return r;
  };

  const sessionAuthor = (userId: string, sessionId: string) => {
    const s = db
      .select({ id: schema.sessions.id, name: schema.sessions.name })
      .from(schema.sessions)
      .where(and(eq(schema.sessions.id, sessionId), eq(schema.sessions.userId, userId)))
      .get();
    if (!s) throw new AppError('not_found', `session ${sessionId} not found`);
    return { authorKind: 'session' as const, authorName: s.name, authorSessionId: s.id };
  };
  const userAuthor = (userId: string) => {
    const u = db.select().from(schema.users).where(eq(schema.users.id, userId)).get();
    return { authorKind: 'user' as const, authorName: u?.name || u?.email || 'owner', authorSessionId: null };
  };

  const service: KnowledgeService = {
    list(userId, folderId, opts = {}) {
      const chain = opts.own ? [folders.get(userId, folderId)] : chainOf(userId, folderId);
      const order = new Map(chain.map((f, i) => [f.id, i]));
      const rows = db
        .select()
        .from(schema.knowledgeEntries)
        .where(and(eq(schema.knowledgeEntries.userId, userId), inArray(schema.knowledgeEntries.folderId, chain.map((f) => f.id))))
        .orderBy(asc(schema.knowledgeEntries.createdAt))
        .all()
        .filter((r) => !opts.tag || r.tags.split(' ').includes(opts.tag.toLowerCase()));
      rows.sort((a, b) => order.get(a.folderId)! - order.get(b.folderId)!);
      return rows.map(view(chain, folderId));
    },
    get(userId, folderId, id) {
      const chain = chainOf(userId, folderId);
      const r = db
        .select()
        .from(schema.knowledgeEntries)
        .where(and(eq(schema.knowledgeEntries.id, id), eq(schema.knowledgeEntries.userId, userId)))
        .get();
      if (!r || !chain.some((f) => f.id === r.folderId)) throw new AppError('not_found', `knowledge entry ${id} not found in this folder`);
      return view(chain, folderId)(r);
    },
    create(userId, folderId, input, source) {
      const folder = folders.get(userId, folderId);
      const author = input.sessionId ? sessionAuthor(userId, input.sessionId) : userAuthor(userId);
      const at = new Date();
      const from = source ? { sourceProposalId: source.proposalId, sourceSessionId: source.sessionId, sourceSessionName: source.sessionName } : {};
      const r = db
        .insert(schema.knowledgeEntries)
        .values({ id: randomUUID(), userId, folderId, title: input.title, body: input.body, tags: tagsToColumn(input.tags), ...author, ...from, createdAt: at, updatedAt: at })
        .returning()
        .get();
      return toEntry(r, folder, folderId);
    },
    update(userId, folderId, id, patch) {
      ownRow(userId, folderId, id);
      const set: Partial<KnowledgeRow> = { updatedAt: new Date() };
      if (patch.title !== undefined) set.title = patch.title;
      if (patch.body !== undefined) set.body = patch.body;
      if (patch.tags !== undefined) set.tags = tagsToColumn(patch.tags);
      const r = db.update(schema.knowledgeEntries).set(set).where(eq(schema.knowledgeEntries.id, id)).returning().get();
      return toEntry(r, folders.get(userId, folderId), folderId);
    },
    delete(userId, folderId, id) {
      folders.get(userId, folderId);
      const changes = db
        .delete(schema.knowledgeEntries)
        .where(and(eq(schema.knowledgeEntries.id, id), eq(schema.knowledgeEntries.userId, userId), eq(schema.knowledgeEntries.folderId, folderId)))
        .run().changes;
      return { id, deleted: changes > 0 };
    },
    search(userId, folderId, q, limit = 20) {
      const chain = chainOf(userId, folderId);
      const toView = view(chain, folderId);
      return searchKnowledge(db, userId, chain.map((f) => f.id), q, limit).map(({ row, rank, snippet }) => ({ entry: toView(row), rank, snippet }));
    },
    document(userId, folderId, maxChars = DEFAULT_DOCUMENT_CHARS) {
      const chain = chainOf(userId, folderId);
      const entries = service.list(userId, folderId);
      const doc = renderKnowledgeDocument(chain, entries, maxChars);
      return { folderId, markdown: doc.markdown, entries: entries.length, truncated: doc.truncated };
    },
    listNotes(userId, sessionId) {
      sessionAuthor(userId, sessionId);
      return db
        .select()
        .from(schema.sessionNotes)
        .where(and(eq(schema.sessionNotes.sessionId, sessionId), eq(schema.sessionNotes.userId, userId)))
        .orderBy(desc(schema.sessionNotes.createdAt))
        .all()
        .map(toNote);
    },
    addNote(userId, sessionId, body) {
      sessionAuthor(userId, sessionId);
      const r = db.insert(schema.sessionNotes).values({ id: randomUUID(), userId, sessionId, body, createdAt: new Date() }).returning().get();
      return toNote(r);
    },
  };
  return service;
}
