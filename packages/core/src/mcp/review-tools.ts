import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { AppError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { AbsolutePathSchema, DIFF_MAX_BYTES_LIMIT, DiffBaseSchema, IdSchema } from '../schemas/index.js';
import type { RdvApi } from './api.js';
import { LooseObjectSchema, SessionRefSchema, registerRdvTool } from './tool.js';

/** worktree_diff: what a worktree changed, for an agent to review its own work or another's. */
export function registerReviewTools(server: McpServer, api: RdvApi, log: Logger): void {
  registerRdvTool(server, log, {
    name: 'worktree_diff',
    area: 'worktree',
    title: 'Diff of a worktree',
    description:
      "Unified diff of a worktree against the merge base with the branch it was made from (or base): its commits, uncommitted changes and untracked files. Per file: path, status, binary, additions, deletions, patch (git's unified diff). Give a session (id or name) whose worktree to diff, or the worktree's id or path. stat: true leaves out the patch text. Files past the size limits are listed with truncated and a reason.",
    input: {
      session: SessionRefSchema.optional(),
      id: IdSchema.optional().describe('the worktree id (see worktree_list)'),
      path: AbsolutePathSchema.optional().describe('or the worktree path'),
      base: DiffBaseSchema.optional().describe('diff against this branch, tag or commit instead of the worktree\'s base'),
      stat: z.boolean().optional().describe('only the file list and counts, no patch text'),
      maxBytes: z.number().int().min(1024).max(DIFF_MAX_BYTES_LIMIT).optional().describe('total bytes of patch text (default 1 MiB)'),
    },
    output: LooseObjectSchema,
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async (a) => {
      if ([a.session, a.id, a.path].filter(Boolean).length !== 1) throw new AppError('invalid_input', 'give exactly one of session, id or path');
      const sessionId = a.session ? (await api.resolveSession(a.session)).id : undefined;
      const diff = await api.worktreeDiff({ sessionId, id: a.id, path: a.path, base: a.base, maxBytes: a.maxBytes });
      if (!a.stat) return diff;
      const files = (diff.files as Array<Record<string, unknown>>).map(({ patch: _patch, ...rest }) => rest);
      return { ...diff, files };
    },
  });
}
