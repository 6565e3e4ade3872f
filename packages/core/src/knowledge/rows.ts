import { schema } from '../db/index.js';
import type { Folder, KnowledgeEntry, SessionNote } from '../schemas/index.js';

export type KnowledgeRow = typeof schema.knowledgeEntries.$inferSelect;
export type SessionNoteRow = typeof schema.sessionNotes.$inferSelect;

export const tagsToColumn = (tags: readonly string[]): string => tags.join(' ');
export const tagsFromColumn = (column: string): string[] => column.split(' ').filter(Boolean);

/** An entry as the api shows it, seen from `askedFolderId` (inherited when it belongs to an ancestor). */
export function toEntry(r: KnowledgeRow, folder: Pick<Folder, 'id' | 'name'>, askedFolderId: string): KnowledgeEntry {
  return {
    id: r.id,
    folderId: r.folderId,
    folderName: folder.name,
    title: r.title,
    body: r.body,
    tags: tagsFromColumn(r.tags),
    author: { kind: r.authorKind, name: r.authorName, sessionId: r.authorSessionId },
    inherited: r.folderId !== askedFolderId,
    source: r.sourceProposalId ? { proposalId: r.sourceProposalId, sessionId: r.sourceSessionId, sessionName: r.sourceSessionName } : null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export function toNote(r: SessionNoteRow): SessionNote {
  return { id: r.id, sessionId: r.sessionId, body: r.body, createdAt: r.createdAt.toISOString() };
}
