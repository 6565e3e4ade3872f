import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { AppError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { ExtractResultSchema, KnowledgeBodySchema, KnowledgeProposalSchema, KnowledgeTitleSchema } from '../schemas/index.js';
import type { RdvApi } from './api.js';
import { registerRdvTool } from './tool.js';

/**
 * insight_extract and knowledge_propose: an agent may propose what it learned, never add
 * it to the folder's knowledge by itself; a person accepts or dismisses each proposal.
 */
export function registerLearningTools(server: McpServer, api: RdvApi, log: Logger, sessionId?: string): void {
  const sessionOf = async (ref: string | undefined) => {
    const id = ref ?? sessionId;
    if (!id) throw new AppError('invalid_input', 'session: say which session (this MCP server does not run inside an rdv session)');
    return api.resolveSession(id);
  };

  registerRdvTool(server, log, {
    name: 'insight_extract',
    area: 'session',
    title: "Propose learnings from a session's log",
    description:
      "Reads the end of this session's output log (or another of your sessions') and proposes what it teaches: an error and the command that worked after it, a command a person typed to unblock the agent. " +
      "They are stored as proposals in the session's folder, for a person to accept into its knowledge or dismiss; nothing is added to knowledge by this tool. Returns the new proposals.",
    input: {
      session: z.string().min(1).max(200).optional().describe('the session id or name; default: the session this server runs in'),
    },
    output: ExtractResultSchema,
    run: async (a) => api.extractProposals((await sessionOf(a.session)).id),
  });

  registerRdvTool(server, log, {
    name: 'knowledge_propose',
    area: 'folder',
    title: "Propose an entry for a folder's knowledge",
    description:
      "Propose something the next agent or person here should know; it waits for a person to accept (maybe edited) or dismiss it. Use knowledge_add only when the user asked you to add knowledge directly.",
    input: {
      title: KnowledgeTitleSchema.describe('one line that says what it is about'),
      body: KnowledgeBodySchema.describe('the entry, markdown'),
      evidence: z.string().max(8192).optional().describe('what it is drawn from (log lines, a command and its output)'),
      folder: z.string().min(1).max(200).optional().describe("the folder id or name; default: the folder of the session this server runs in"),
    },
    output: KnowledgeProposalSchema,
    run: async (a) => {
      let folderId: string;
      if (a.folder) folderId = (await api.resolveFolder(a.folder)).id;
      else {
        const session = await sessionOf(undefined);
        if (!session.folderId) throw new AppError('invalid_input', `folder: session ${session.name} is in no folder; say which folder`);
        folderId = session.folderId;
      }
      return api.proposeKnowledge(folderId, { title: a.title, body: a.body, evidence: a.evidence ?? '', ...(sessionId ? { sessionId } : {}) });
    },
  });
}
