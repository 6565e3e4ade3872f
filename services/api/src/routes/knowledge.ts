import { z } from 'zod';
import {
  CreateKnowledgeSchema,
  CreateSessionNoteSchema,
  KnowledgeDocumentQuerySchema,
  KnowledgeDocumentSchema,
  KnowledgeEntrySchema,
  KnowledgeHitSchema,
  ListKnowledgeQuerySchema,
  SearchKnowledgeQuerySchema,
  SessionNoteSchema,
  UpdateKnowledgeSchema,
  listOf,
} from '@rdv/core/schemas';
import { auditAs } from '../context.js';
import { defineRoute, type RouteDef } from '../route.js';
import type { RouteDeps } from './table.js';

const tag = 'knowledge';
const DeletedEntrySchema = z.object({ id: z.string(), deleted: z.boolean() });

/** /api/folders/:id/knowledge (entries inherited down the folder tree) and /api/sessions/:id/notes. */
export function knowledgeRoutes(deps: RouteDeps): RouteDef[] {
  const { knowledge } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/api/folders/:id/knowledge',
      tag,
      summary: "The folder's knowledge entries and its ancestors' (root first); ?own=true for its own only",
      query: ListKnowledgeQuerySchema,
      response: listOf(KnowledgeEntrySchema),
      handler: ({ auth, params, query }) => ({ items: knowledge.list(auth.user.id, params.id!, { own: query.own === 'true', tag: query.tag }) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/folders/:id/knowledge',
      tag,
      summary: 'Add a knowledge entry to the folder (written by the caller, or by one of their sessions: sessionId)',
      body: CreateKnowledgeSchema,
      response: KnowledgeEntrySchema,
      status: 201,
      handler: ({ auth, params, body }) => {
        const entry = knowledge.create(auth.user.id, params.id!, body);
        auditAs(deps, auth, 'knowledge.create', entry.id, { folderId: entry.folderId, author: entry.author.kind });
        return entry;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/folders/:id/knowledge/search',
      tag,
      summary: "Full-text search over the folder chain's knowledge: best match first (bm25), with snippets",
      query: SearchKnowledgeQuerySchema,
      response: listOf(KnowledgeHitSchema),
      handler: ({ auth, params, query }) => ({ items: knowledge.search(auth.user.id, params.id!, query.q, query.limit) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/folders/:id/knowledge/document',
      tag,
      summary: "The folder chain's knowledge as one markdown document, cut to maxChars with a note",
      query: KnowledgeDocumentQuerySchema,
      response: KnowledgeDocumentSchema,
      handler: ({ auth, params, query }) => knowledge.document(auth.user.id, params.id!, query.maxChars),
    }),
    defineRoute({
      method: 'get',
      path: '/api/folders/:id/knowledge/:entryId',
      tag,
      summary: 'One knowledge entry of the folder or its ancestors',
      response: KnowledgeEntrySchema,
      handler: ({ auth, params }) => knowledge.get(auth.user.id, params.id!, params.entryId!),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/folders/:id/knowledge/:entryId',
      tag,
      summary: "Change one of the folder's own knowledge entries",
      body: UpdateKnowledgeSchema,
      response: KnowledgeEntrySchema,
      handler: ({ auth, params, body }) => {
        const entry = knowledge.update(auth.user.id, params.id!, params.entryId!, body);
        auditAs(deps, auth, 'knowledge.update', entry.id, { folderId: entry.folderId });
        return entry;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/folders/:id/knowledge/:entryId',
      tag,
      summary: "Delete one of the folder's own knowledge entries (idempotent)",
      response: DeletedEntrySchema,
      sensitive: true,
      handler: ({ auth, params }) => {
        const result = knowledge.delete(auth.user.id, params.id!, params.entryId!);
        auditAs(deps, auth, 'knowledge.delete', params.entryId!, { folderId: params.id!, deleted: result.deleted });
        return result;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/sessions/:id/notes',
      tag,
      summary: 'Notes captured on a session, newest first',
      response: listOf(SessionNoteSchema),
      handler: ({ auth, params }) => ({ items: knowledge.listNotes(auth.user.id, params.id!) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/sessions/:id/notes',
      tag,
      summary: 'Capture a note on a session',
      body: CreateSessionNoteSchema,
      response: SessionNoteSchema,
      status: 201,
      handler: ({ auth, params, body }) => knowledge.addNote(auth.user.id, params.id!, body.body),
    }),
  ];
}
