import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { AppError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import {
  AbsolutePathSchema,
  AgentSchema,
  FolderContextSchema,
  FolderSchema,
  IdSchema,
  NameSchema,
  WorktreeRequestSchema,
  listOf,
} from '../schemas/index.js';
import type { RdvApi } from './api.js';
import { LooseListSchema, LooseObjectSchema, registerRdvTool } from './tool.js';

const readOnly = { readOnlyHint: true, openWorldHint: false } as const;

/** folder_* and worktree_* tools. */
export function registerFolderTools(server: McpServer, api: RdvApi, log: Logger): void {
  registerRdvTool(server, log, {
    name: 'folder_list',
    area: 'folder',
    title: 'List folders',
    description: 'List all folders (flat: parentId and position give the tree). Sessions are grouped in folders.',
    input: {},
    output: listOf(FolderSchema),
    annotations: readOnly,
    run: () => api.listFolders(),
  });

  registerRdvTool(server, log, {
    name: 'folder_create',
    area: 'folder',
    title: 'Create a folder',
    description: 'Create a folder, optionally inside another, with a default working directory and agent for its sessions.',
    input: {
      name: NameSchema,
      parentId: IdSchema.optional().describe('create it inside this folder'),
      defaultCwd: AbsolutePathSchema.optional().describe('default working directory for new sessions in it'),
      defaultAgent: AgentSchema.optional().describe('default agent for new agent sessions in it'),
    },
    output: FolderSchema,
    run: (a) => api.createFolder(a),
  });

  registerRdvTool(server, log, {
    name: 'folder_context',
    area: 'folder',
    title: 'Folder context',
    description: 'A folder with its ancestors, subfolders, open sessions and effective preferences (cwd, agent, env).',
    input: { folder: z.string().min(1).max(200).describe('the folder id or its name') },
    output: FolderContextSchema,
    annotations: readOnly,
    run: async (a) => api.folderContext((await api.resolveFolder(a.folder)).id),
  });
}

/** worktree_* tools (the api's /api/worktrees routes). */
export function registerWorktreeTools(server: McpServer, api: RdvApi, log: Logger): void {
  const repoPath = AbsolutePathSchema.describe('absolute path of the git repository');
  registerRdvTool(server, log, {
    name: 'worktree_list',
    area: 'worktree',
    title: 'List worktrees',
    description: 'List the git worktrees rdv manages (repository, path, branch, base, status).',
    input: {
      repoPath: repoPath.optional().describe('only this repository'),
      status: z.enum(['active', 'trashed', 'removed', 'all']).optional().describe('active (default), trashed, removed or all'),
    },
    output: LooseListSchema,
    annotations: readOnly,
    run: (a) => api.listWorktrees({ repoPath: a.repoPath, status: a.status }),
  });

  registerRdvTool(server, log, {
    name: 'worktree_create',
    area: 'worktree',
    title: 'Create a worktree',
    description: 'Create a git worktree on a new or existing branch (from base, default the current HEAD).',
    input: WorktreeRequestSchema.shape,
    output: LooseObjectSchema,
    run: (a) => api.createWorktree(a),
  });

  registerRdvTool(server, log, {
    name: 'worktree_remove',
    area: 'worktree',
    title: 'Remove a worktree',
    description: 'Remove a worktree by id or path. Refused when it has uncommitted or unpushed changes unless force is true.',
    input: {
      id: IdSchema.optional().describe('the worktree id (see worktree_list)'),
      path: AbsolutePathSchema.optional().describe('or the worktree path'),
      force: z.boolean().optional().describe('remove even with uncommitted changes'),
    },
    output: LooseObjectSchema,
    annotations: { destructiveHint: true, idempotentHint: true },
    run: (a) => {
      if (Boolean(a.id) === Boolean(a.path)) return Promise.reject(new AppError('invalid_input', 'give exactly one of id or path'));
      return api.removeWorktree(a);
    },
  });

  registerRdvTool(server, log, {
    name: 'worktree_status',
    area: 'worktree',
    title: 'Worktree status',
    description:
      'Git status of worktrees: branch, ahead/behind base and upstream, dirty files, unpushed commits, merged. One worktree (id or path), one repository\'s (repoPath), or all active ones (nothing given).',
    input: {
      id: IdSchema.optional().describe('one worktree by id'),
      path: AbsolutePathSchema.optional().describe('one worktree by path'),
      repoPath: repoPath.optional().describe('all worktrees of this repository'),
    },
    output: LooseListSchema,
    annotations: readOnly,
    run: (a) => {
      if ([a.id, a.path, a.repoPath].filter(Boolean).length > 1) return Promise.reject(new AppError('invalid_input', 'give at most one of id, path or repoPath'));
      return api.worktreeStatus(a);
    },
  });
}
