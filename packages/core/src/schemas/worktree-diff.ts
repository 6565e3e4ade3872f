import { z } from 'zod';
import { AbsolutePathSchema, CONTROL_CHARS, IdSchema } from './common.js';

export const DIFF_MAX_BYTES_DEFAULT = 1024 * 1024;
export const DIFF_MAX_FILE_BYTES_DEFAULT = 256 * 1024;
/** The most a caller may ask for in one answer. */
export const DIFF_MAX_BYTES_LIMIT = 16 * 1024 * 1024;

/** What a diff is taken against: a branch, tag or commit (`origin/main`, `v1.2`, `HEAD~3`); never an option. */
export const DiffBaseSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'is too long')
  .refine((v) => !v.startsWith('-'), 'must not start with -')
  .refine((v) => !CONTROL_CHARS.test(v) && !/\s/.test(v), 'must not contain spaces or control characters');

export const WorktreeDiffQuerySchema = z
  .object({
    /** The worktree of this session. */
    sessionId: IdSchema.optional(),
    id: IdSchema.optional(),
    path: AbsolutePathSchema.optional(),
    /** Instead of the base the worktree was made from. */
    base: DiffBaseSchema.optional(),
    /** Total bytes of diff text in the answer; files past it are listed without their text. */
    maxBytes: z.coerce.number().int().min(1024).max(DIFF_MAX_BYTES_LIMIT).default(DIFF_MAX_BYTES_DEFAULT),
    /** Bytes of diff text for one file; a larger file is listed without its text. */
    maxFileBytes: z.coerce.number().int().min(1024).max(DIFF_MAX_BYTES_LIMIT).default(DIFF_MAX_FILE_BYTES_DEFAULT),
  })
  .strict()
  .refine((v) => [v.sessionId, v.id, v.path].filter(Boolean).length === 1, 'give exactly one of sessionId, id or path');
export type WorktreeDiffQuery = z.output<typeof WorktreeDiffQuerySchema>;

export const DIFF_FILE_STATUSES = ['added', 'modified', 'deleted', 'renamed', 'copied', 'typechange', 'unmerged'] as const;

export const WorktreeDiffFileSchema = z.object({
  path: z.string(),
  /** The path before a rename or copy. */
  oldPath: z.string().nullable(),
  status: z.enum(DIFF_FILE_STATUSES),
  binary: z.boolean(),
  /** A new file git does not track yet. */
  untracked: z.boolean(),
  /** Lines added and removed; null for binary files. */
  additions: z.number().int().nullable(),
  deletions: z.number().int().nullable(),
  /** git's unified diff of this file (`diff --git …`); empty when truncated. */
  patch: z.string(),
  truncated: z.boolean(),
  /** Why the text is not shown, when truncated. */
  reason: z.string().nullable(),
});
export type WorktreeDiffFile = z.infer<typeof WorktreeDiffFileSchema>;

export const WorktreeDiffSchema = z.object({
  worktreeId: IdSchema,
  sessionId: IdSchema.nullable(),
  path: z.string(),
  /** The branch checked out in the worktree (null when detached). */
  branch: z.string().nullable(),
  /** What the diff is against, as named (the worktree's base or ?base=). */
  base: z.string(),
  /** The commit where the branch left the base: the diff's left side. */
  mergeBase: z.string(),
  head: z.string().nullable(),
  files: z.array(WorktreeDiffFileSchema),
  additions: z.number().int(),
  deletions: z.number().int(),
  /** Some file's text was left out (see each file's reason). */
  truncated: z.boolean(),
  maxBytes: z.number().int(),
  maxFileBytes: z.number().int(),
});
export type WorktreeDiff = z.infer<typeof WorktreeDiffSchema>;
