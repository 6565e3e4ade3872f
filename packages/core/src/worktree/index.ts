export { validateBranchName } from './branch.js';
export { diffOfWorktree, diffWorktree, type DiffLimits, type GitDiff } from './diff.js';
export { copyIncludes, type IncludeReport, type SkippedInclude } from './includes.js';
export {
  addWorktree,
  defaultBranch,
  listGitWorktrees,
  parseWorktreeList,
  repoRoot,
  runSetup,
  worktreePathFor,
  type AddOutcome,
  type GitWorktree,
  type SetupResult,
} from './ops.js';
export { removalBlockers, removeGitWorktree, worktreeStatus, type WorktreeGitStatus } from './status.js';
export { createWorktreeService, type CleanupCandidate, type WorktreeService, type WorktreeServiceDeps } from './service.js';
export type { WorktreeTrash } from './trash.js';
