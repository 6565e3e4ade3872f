import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { AppError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { AbsolutePathSchema, BranchSchema, IdSchema, RepositorySchema, RepositoryUrlSchema, listOf } from '../schemas/index.js';
import type { RdvApi } from './api.js';
import { LooseObjectSchema, registerRdvTool } from './tool.js';

/** repository_* tools and worktree_push (the api's /api/repositories and /api/worktrees/push). */
export function registerRepositoryTools(server: McpServer, api: RdvApi, log: Logger): void {
  registerRdvTool(server, log, {
    name: 'repository_list',
    area: 'repository',
    title: 'List repositories',
    description: 'List the repositories rdv cloned (url, id, status, default branch). Start a worktree session from one with session_create and worktree {repositoryId, branch}.',
    input: {},
    output: listOf(RepositorySchema),
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: () => api.listRepositories(),
  });

  registerRdvTool(server, log, {
    name: 'repository_add',
    area: 'repository',
    title: 'Clone a repository',
    description: "Clone a repository (ssh, https or a local path) into a bare mirror as the user's identity, waiting until it is done.",
    input: {
      url: RepositoryUrlSchema,
      identityId: IdSchema.optional().describe("clone as this identity (default: the user's default)"),
    },
    output: RepositorySchema,
    annotations: { openWorldHint: true },
    run: (a) => api.addRepository({ url: a.url, wait: true, ...(a.identityId ? { identityId: a.identityId } : {}) }),
  });

  registerRdvTool(server, log, {
    name: 'worktree_push',
    area: 'worktree',
    title: 'Push a worktree',
    description:
      "Push a worktree's branch to its origin as its identity (the session's, the repository's or the user's) and set the upstream. Returns git's report and, on GitHub and GitLab, the URL to open a pull or merge request.",
    input: {
      id: IdSchema.optional().describe('the worktree id (see worktree_list)'),
      path: AbsolutePathSchema.optional().describe('or the worktree path'),
      identityId: IdSchema.optional().describe('push as this identity instead'),
      remoteBranch: BranchSchema.optional().describe('the branch name on the remote (default: the same)'),
    },
    output: LooseObjectSchema,
    annotations: { openWorldHint: true },
    run: (a) => {
      if (Boolean(a.id) === Boolean(a.path)) return Promise.reject(new AppError('invalid_input', 'give exactly one of id or path'));
      return api.pushWorktree(a);
    },
  });
}
