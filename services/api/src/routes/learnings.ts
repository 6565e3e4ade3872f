import { AppError } from '@rdv/core/errors';
import {
  AcceptProposalSchema,
  AcceptedProposalSchema,
  CreateProposalSchema,
  ExtractResultSchema,
  KnowledgeProposalSchema,
  ListProposalsQuerySchema,
  listOf,
} from '@rdv/core/schemas';
import { auditAs, type AppDeps, type AuthContext } from '../context.js';
import { defineRoute, type RouteDef } from '../route.js';
import type { RouteDeps } from './table.js';

const tag = 'knowledge';
const FolderProposalsQuerySchema = ListProposalsQuerySchema.pick({ status: true }).strict();

/** A person holds a CLI token or comes through the web edge; an API key is an agent's. */
export const isPerson = (auth: AuthContext): boolean => auth.method !== 'api_key';

/** Only a person may say yes or no to a proposal: an agent never decides what becomes knowledge. */
function requirePerson(deps: Pick<AppDeps, 'db'>, auth: AuthContext, action: string, id: string): void {
  if (isPerson(auth)) return;
  auditAs(deps, auth, action, id, { reason: 'API keys cannot decide proposals' }, 'denied');
  throw new AppError('forbidden', 'only a person accepts or dismisses a proposal; API keys are for agents (use the web UI or `rdv knowledge accept`)');
}

const personName = (auth: AuthContext) => auth.user.name || auth.user.email || 'owner';

/**
 * Learnings proposed from sessions' logs: listed and made by anyone with access to the
 * folder (agents too), accepted into knowledge or dismissed only by a person.
 */
export function learningRoutes(deps: RouteDeps): RouteDef[] {
  const { learnings } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/api/knowledge/proposals',
      tag,
      summary: "The caller's proposals across folders, newest first (?status=proposed by default; ?folderId, ?sessionId narrow it)",
      query: ListProposalsQuerySchema,
      response: listOf(KnowledgeProposalSchema),
      handler: ({ auth, query }) => ({ items: learnings.list(auth.user.id, query) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/folders/:id/knowledge/proposals',
      tag,
      summary: "The folder's proposed knowledge entries, waiting for a person's yes (?status=accepted|dismissed|all for the decided ones)",
      query: FolderProposalsQuerySchema,
      response: listOf(KnowledgeProposalSchema),
      handler: ({ auth, params, query }) => ({ items: learnings.list(auth.user.id, { folderId: params.id!, status: query.status }) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/folders/:id/knowledge/proposals',
      tag,
      summary: 'Propose a knowledge entry for the folder (agents may); it becomes knowledge only when a person accepts it',
      body: CreateProposalSchema,
      response: KnowledgeProposalSchema,
      status: 201,
      handler: ({ auth, params, body }) => {
        const p = learnings.create(auth.user.id, params.id!, body);
        auditAs(deps, auth, 'knowledge.propose', p.id, { folderId: p.folderId, sessionId: p.sessionId });
        return p;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/folders/:id/knowledge/proposals/:proposalId/accept',
      tag,
      summary: 'A person accepts a proposal (optionally edited: title, body, tags): it becomes a knowledge entry written by them. Refused to API keys',
      body: AcceptProposalSchema,
      response: AcceptedProposalSchema,
      handler: ({ auth, params, body }) => {
        requirePerson(deps, auth, 'knowledge.accept', params.proposalId!);
        const result = learnings.accept(auth.user.id, params.id!, params.proposalId!, body, personName(auth));
        auditAs(deps, auth, 'knowledge.accept', params.proposalId!, { folderId: params.id!, entryId: result.entry.id, edited: Object.keys(body).length > 0 });
        return result;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/folders/:id/knowledge/proposals/:proposalId/dismiss',
      tag,
      summary: 'A person dismisses a proposal (idempotent); the same text is not proposed again in this folder. Refused to API keys',
      response: KnowledgeProposalSchema,
      handler: ({ auth, params }) => {
        requirePerson(deps, auth, 'knowledge.dismiss', params.proposalId!);
        const p = learnings.dismiss(auth.user.id, params.id!, params.proposalId!, personName(auth));
        auditAs(deps, auth, 'knowledge.dismiss', p.id, { folderId: p.folderId });
        return p;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/sessions/:id/proposals',
      tag,
      summary: "Proposals drawn from a session's log, newest first (?status as for folders)",
      query: FolderProposalsQuerySchema,
      response: listOf(KnowledgeProposalSchema),
      handler: ({ auth, params, query }) => {
        deps.sessions.get(auth.user.id, params.id!);
        return { items: learnings.list(auth.user.id, { sessionId: params.id!, status: query.status }) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/sessions/:id/proposals/extract',
      tag,
      summary:
        "Read the end of the session's log now and propose what it teaches (errors and the commands that worked after them, what a person typed to unblock it); stored as proposals, never as knowledge",
      response: ExtractResultSchema,
      handler: ({ auth, params }) => learnings.extract(auth.user.id, params.id!),
    }),
  ];
}
