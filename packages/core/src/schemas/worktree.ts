import { z } from 'zod';
import { AbsolutePathSchema, IdSchema, TimestampSchema } from './common.js';

export const WorktreeStatusValueSchema = z.enum(['active', 'trashed', 'removed']);

export const SetupResultSchema = z.object({
  command: z.string(),
  exitCode: z.number().int().nullable(),
  output: z.string(),
});

export const WorktreeSchema = z.object({
  id: IdSchema,
  repoPath: z.string(),
  path: z.string(),
  branch: z.string(),
  base: z.string().nullable(),
  status: WorktreeStatusValueSchema,
  sessionId: IdSchema.nullable(),
  setup: SetupResultSchema.nullable(),
  copiedFiles: z.array(z.string()),
  /** `.worktreeinclude` entries not copied: they crossed a symlink, left the tree, or existed already. */
  skippedFiles: z.array(z.object({ path: z.string(), reason: z.string() })),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type Worktree = z.infer<typeof WorktreeSchema>;

export const BranchSchema = z.string().min(1, 'must not be empty').max(200, 'is too long');

/** A worktree of a repository on disk (`repoPath`) or of a cloned one (`repositoryId`, fetched first). */
export const CreateWorktreeSchema = z
  .object({
    repoPath: AbsolutePathSchema.optional(),
    repositoryId: IdSchema.optional().describe('a repository cloned with POST /api/repositories'),
    branch: BranchSchema,
    base: BranchSchema.optional(),
  })
  .strict()
  .refine((v) => (v.repoPath ? 1 : 0) + (v.repositoryId ? 1 : 0) === 1, 'give exactly one of repoPath or repositoryId');
export type CreateWorktree = z.infer<typeof CreateWorktreeSchema>;

export const WorktreeGitStatusSchema = z.object({
  path: z.string(),
  exists: z.boolean(),
  branch: z.string().nullable(),
  upstream: z.string().nullable(),
  aheadOfUpstream: z.number().int().nullable(),
  behindUpstream: z.number().int().nullable(),
  base: z.string().nullable(),
  aheadOfBase: z.number().int().nullable(),
  behindBase: z.number().int().nullable(),
  dirtyFiles: z.array(z.string()),
  unpushedCommits: z.number().int(),
  merged: z.boolean(),
  lastCommitAt: TimestampSchema.nullable(),
  diskBytes: z.number().int().nullable(),
});

export const WorktreeWithStatusSchema = WorktreeSchema.extend({ git: WorktreeGitStatusSchema });

export const ListWorktreesQuerySchema = z
  .object({
    repoPath: AbsolutePathSchema.optional(),
    status: z.enum(['active', 'trashed', 'removed', 'all']).default('active'),
  })
  .strict();

export const WorktreeRefQuerySchema = z
  .object({ id: IdSchema.optional(), path: AbsolutePathSchema.optional(), repoPath: AbsolutePathSchema.optional() })
  .strict()
  .refine((v) => [v.id, v.path, v.repoPath].filter(Boolean).length === 1, 'give exactly one of id, path or repoPath');

export const RemoveWorktreeSchema = z
  .object({ id: IdSchema.optional(), path: AbsolutePathSchema.optional(), force: z.boolean().default(false) })
  .strict()
  .refine((v) => (v.id ? 1 : 0) + (v.path ? 1 : 0) === 1, 'give exactly one of id or path');

export const CleanupWorktreesSchema = z
  .object({
    repoPath: AbsolutePathSchema.optional(),
    staleDays: z.number().int().min(0).max(3650).optional(),
    /** Remove what was found (merged, stale and orphaned ones without changes); otherwise only report. */
    remove: z.boolean().default(false),
  })
  .strict();

export const CleanupCandidateSchema = z.object({
  id: IdSchema.nullable(),
  path: z.string(),
  branch: z.string().nullable(),
  reasons: z.array(z.enum(['merged', 'stale', 'orphaned', 'missing'])),
  blockers: z.array(z.string()),
  removed: z.boolean(),
});
export const CleanupReportSchema = z.object({ items: z.array(CleanupCandidateSchema) });

export const TrashEntrySchema = z.object({
  id: IdSchema,
  sessionId: IdSchema.nullable(),
  worktreeId: IdSchema.nullable(),
  sessionName: z.string().nullable(),
  originalPath: z.string().nullable(),
  trashPath: z.string().nullable(),
  trashedAt: TimestampSchema,
  expiresAt: TimestampSchema,
});
export type TrashEntry = z.infer<typeof TrashEntrySchema>;
