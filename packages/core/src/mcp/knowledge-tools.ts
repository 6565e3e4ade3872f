import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { AppError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import {
  KnowledgeBodySchema,
  KnowledgeDocumentSchema,
  KnowledgeEntrySchema,
  KnowledgeHitSchema,
  KnowledgeTitleSchema,
  SessionNoteSchema,
  TagSchema,
  listOf,
} from '../schemas/index.js';
import type { RdvApi } from './api.js';
import { registerRdvTool } from './tool.js';

const readOnly = { readOnlyHint: true, openWorldHint: false } as const;
const FolderRefSchema = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .describe("the folder id or name; default: the folder of the session this server runs in");

/**
 * knowledge_get, knowledge_add, knowledge_search and note_capture. `sessionId` is the rdv
 * session this server runs inside (RDV_SESSION_ID), when it does: its folder is the
 * default, and what the agent writes is signed with it.
 */
export function registerKnowledgeTools(server: McpServer, api: RdvApi, log: Logger, sessionId?: string): void {
  /** The folder a tool works on: the one named, else the session's own. */
  const folderId = async (ref: string | undefined): Promise<string> => {
    if (ref) return (await api.resolveFolder(ref)).id;
    if (!sessionId) throw new AppError('invalid_input', 'folder: say which folder (this MCP server does not run inside an rdv session)');
    const session = await api.resolveSession(sessionId);
    if (!session.folderId) throw new AppError('invalid_input', `folder: session ${session.name} is in no folder; say which folder`);
    return session.folderId;
  };

  registerRdvTool(server, log, {
    name: 'knowledge_get',
    area: 'folder',
    title: "Read a folder's knowledge",
    description:
      "What is known about the folder you work in, as one markdown document: notes people and earlier agents kept on it and on the folders above it (nearest last). Read it before you start.",
    input: {
      folder: FolderRefSchema,
      maxChars: z.number().int().min(200).max(200_000).optional().describe('cut the document to this many characters (default 16000)'),
    },
    output: KnowledgeDocumentSchema,
    annotations: readOnly,
    run: async (a) => api.knowledgeDocument(await folderId(a.folder), a.maxChars),
  });

  registerRdvTool(server, log, {
    name: 'knowledge_add',
    area: 'folder',
    title: "Add to a folder's knowledge",
    description:
      'Keep something the next agent or person working here should know: a command that works, a trap, a convention. One idea per entry, a clear title, markdown body. Signed with this session when inside rdv.',
    input: {
      title: KnowledgeTitleSchema.describe('one line that says what it is about'),
      body: KnowledgeBodySchema.describe('the entry, markdown'),
      tags: z.array(TagSchema).max(20).optional().describe('a few words to find it by'),
      folder: FolderRefSchema,
    },
    output: KnowledgeEntrySchema,
    run: async (a) =>
      api.addKnowledge(await folderId(a.folder), { title: a.title, body: a.body, tags: a.tags ?? [], ...(sessionId ? { sessionId } : {}) }),
  });

  registerRdvTool(server, log, {
    name: 'knowledge_search',
    area: 'folder',
    title: "Search a folder's knowledge",
    description:
      'Full-text search over the knowledge of the folder and the folders above it: words or "a phrase", best match first, with a snippet (matches in **bold**).',
    input: {
      query: z.string().min(1).max(500).describe('words or "a phrase"'),
      folder: FolderRefSchema,
      limit: z.number().int().min(1).max(100).optional().describe('at most this many results (default 20)'),
    },
    output: listOf(KnowledgeHitSchema),
    annotations: readOnly,
    run: async (a) => api.searchKnowledge(await folderId(a.folder), a.query, a.limit),
  });

  registerRdvTool(server, log, {
    name: 'note_capture',
    area: 'session',
    title: 'Capture a note on this session',
    description:
      'Leave a note on the session itself (what you tried, what you found, where you stopped); people see it with the session. For what every later session should know, use knowledge_add.',
    input: {
      body: z.string().min(1).max(16_384).describe('the note, markdown'),
      session: z.string().min(1).max(200).optional().describe('the session id or name; default: the session this server runs in'),
    },
    output: SessionNoteSchema,
    run: async (a) => {
      const ref = a.session ?? sessionId;
      if (!ref) throw new AppError('invalid_input', 'session: say which session (this MCP server does not run inside an rdv session)');
      return api.addSessionNote((await api.resolveSession(ref)).id, a.body);
    },
  });
}
