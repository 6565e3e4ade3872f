import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { AppError } from '../errors/index.js';
import type { Worktree, WorktreeDiff, WorktreeDiffFile } from '../schemas/index.js';
import { createPatchSplitter, diffHeader, parseNumstatZ, parseRawZ, type PatchPiece } from './diff-parse.js';
import { gitEnv, gitOrNull } from './git.js';
import { defaultBranch } from './ops.js';

const GIT_TIMEOUT_MS = 60_000;
/** The most a file list or line count answer may take (paths only, so generous). */
const LIST_MAX_BYTES = 64 * 1024 * 1024;

// Repository config must not turn the diff into something else: no external diff programs,
// no textconv filters, no colour, the usual a/ b/ prefixes, paths from the top.
const DIFF_FLAGS = ['--no-color', '--no-ext-diff', '--no-textconv', '--no-relative', '--src-prefix=a/', '--dst-prefix=b/', '-M'];

export interface DiffLimits {
  /** Total bytes of diff text kept; files past it are listed without their text. */
  maxBytes: number;
  /** Bytes of diff text kept for one file. */
  maxFileBytes: number;
}

export interface GitDiff {
  base: string;
  mergeBase: string;
  head: string | null;
  branch: string | null;
  files: WorktreeDiffFile[];
  additions: number;
  deletions: number;
  truncated: boolean;
}

interface RunOptions {
  env: Record<string, string>;
  input?: string;
  onData?: (chunk: Buffer) => boolean;
}

/** Runs git (argv only) in `dir`; stdout collected, or streamed to `onData` until it returns false (then git is stopped). */
function runGit(dir: string, args: string[], options: RunOptions): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn('git', args, { cwd: dir, env: options.env, stdio: ['pipe', 'pipe', 'pipe'], timeout: GIT_TIMEOUT_MS });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    let stopped = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (stopped) return;
      if (options.onData) {
        if (!options.onData(chunk)) {
          stopped = true;
          child.kill('SIGTERM');
        }
        return;
      }
      outBytes += chunk.length;
      if (outBytes > LIST_MAX_BYTES) {
        stopped = true;
        child.kill('SIGTERM');
        reject(new AppError('unavailable', `git ${args[0]} printed more than ${LIST_MAX_BYTES} bytes`));
        return;
      }
      out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    child.on('error', (err) => reject(new AppError('unavailable', `git could not be started: ${err.message}`, { cause: err })));
    child.on('close', (code) => {
      if (stopped || code === 0) return resolveRun(Buffer.concat(out).toString('utf8'));
      const message = stderr.trim().split('\n').slice(0, 3).join(' ') || `exit ${code}`;
      reject(new AppError('unavailable', `git ${args.find((a) => !a.startsWith('-'))} failed: ${message}`));
    });
    // A git that exits before reading its input closes the pipe: that is its answer, not ours to report.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** The commit `ref` names in `dir`, or AppError(invalid_input). `--end-of-options` keeps a ref from being read as an option. */
async function commitOf(dir: string, ref: string): Promise<string> {
  const sha = (await gitOrNull(dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]))?.trim();
  if (!sha) throw new AppError('invalid_input', `${ref} is not a branch, tag or commit in ${dir}`);
  return sha;
}

/**
 * A copy of the worktree's index with the untracked files added as intent-to-add, so
 * that one `git diff <merge-base>` shows them as new files. The user's own index is never
 * written: git works on the copy in a temp dir (removed by the returned `dispose`).
 */
async function indexWithUntracked(dir: string): Promise<{ env: Record<string, string>; untracked: Set<string>; dispose: () => void }> {
  const tmp = mkdtempSync(join(tmpdir(), 'rdv-diff-'));
  const dispose = () => rmSync(tmp, { recursive: true, force: true });
  try {
    const indexPath = (await gitOrNull(dir, ['rev-parse', '--git-path', 'index']))?.trim();
    const own = indexPath ? (isAbsolute(indexPath) ? indexPath : join(dir, indexPath)) : null;
    const copy = join(tmp, 'index');
    if (own && existsSync(own)) {
      copyFileSync(own, copy);
      // git trusts an entry's cached stat only when the file is older than the index file
      // ("racy git"); a copy made now would look newer and hide a same-size edit made in
      // the index's last second. Dated a second earlier, such entries are checked by content.
      const mtimeS = statSync(own).mtimeMs / 1000 - 1;
      utimesSync(copy, mtimeS, mtimeS);
    }
    // The copy is written whole: with core.splitIndex a write would add a shared index to the repository.
    const env = gitEnv({
      GIT_INDEX_FILE: copy,
      GIT_OPTIONAL_LOCKS: '0',
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: 'core.splitIndex',
      GIT_CONFIG_VALUE_0: 'false',
      GIT_CONFIG_KEY_1: 'core.untrackedCache',
      GIT_CONFIG_VALUE_1: 'false',
    });
    const listed = await runGit(dir, ['ls-files', '-z', '--others', '--exclude-standard'], { env });
    // A nested repository is listed as `dir/`; it is not a file of this one.
    const untracked = listed.split('\0').filter((p) => p && !p.endsWith('/'));
    if (untracked.length) {
      await runGit(dir, ['--literal-pathspecs', 'add', '--intent-to-add', '--pathspec-from-file=-', '--pathspec-file-nul'], {
        env,
        input: untracked.join('\0'),
      });
    }
    return { env, untracked: new Set(untracked), dispose };
  } catch (err) {
    dispose();
    throw err;
  }
}

const TOTAL_REASON = (maxBytes: number) => `too large to show: the diff passed its limit of ${maxBytes} bytes before this file`;
const FILE_REASON = (bytes: number, maxFileBytes: number) => `too large to show: ${bytes} bytes of diff, over the limit of ${maxFileBytes} for one file`;

/** Reads the unified diff once, giving each file its text within the limits. */
async function readPatches(dir: string, from: string, env: Record<string, string>, limits: DiffLimits): Promise<Map<string, PatchPiece>> {
  const pieces = new Map<string, PatchPiece>();
  let kept = 0;
  const splitter = createPatchSplitter(limits.maxFileBytes, (piece) => {
    if (piece.tooLarge) {
      pieces.set(piece.header, piece);
      return true;
    }
    if (kept + piece.bytes > limits.maxBytes) return false;
    kept += piece.bytes;
    pieces.set(piece.header, piece);
    return true;
  });
  await runGit(dir, ['diff', ...DIFF_FLAGS, '-p', from, '--'], {
    env,
    onData: (chunk) => {
      splitter.push(chunk);
      return !splitter.stopped;
    },
  });
  splitter.end();
  return pieces;
}

/**
 * The changes in the worktree at `dir` against `base`: from the merge base of HEAD and
 * `base` to the files on disk, so commits, staged and unstaged changes and untracked
 * (not ignored) files all count. Each file's diff text is kept within `limits`; a file
 * past them is listed with its counts, `truncated` and a reason. Never writes to the
 * repository or its index. Throws AppError(invalid_input) for a base that names no commit,
 * AppError(conflict) when the branch shares no history with it.
 */
export async function diffWorktree(dir: string, base: string, limits: DiffLimits): Promise<GitDiff> {
  if (!existsSync(dir)) throw new AppError('conflict', `the worktree directory ${dir} is gone`);
  const baseSha = await commitOf(dir, base);
  const head = (await gitOrNull(dir, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']))?.trim() || null;
  const branch = (await gitOrNull(dir, ['symbolic-ref', '--quiet', '--short', 'HEAD']))?.trim() || null;
  const mergeBase = head ? (await gitOrNull(dir, ['merge-base', head, baseSha]))?.trim() : baseSha;
  if (!mergeBase) throw new AppError('conflict', `${branch ?? 'HEAD'} shares no history with ${base}`);

  const index = await indexWithUntracked(dir);
  try {
    const raw = parseRawZ(await runGit(dir, ['diff', ...DIFF_FLAGS, '--raw', '-z', mergeBase, '--'], { env: index.env }));
    const counts = parseNumstatZ(await runGit(dir, ['diff', ...DIFF_FLAGS, '--numstat', '-z', mergeBase, '--'], { env: index.env }));
    const patches = await readPatches(dir, mergeBase, index.env, limits);
    let additions = 0;
    let deletions = 0;
    const files = raw.map((entry): WorktreeDiffFile => {
      const c = counts.get(entry.path) ?? { additions: null, deletions: null };
      additions += c.additions ?? 0;
      deletions += c.deletions ?? 0;
      const piece = patches.get(diffHeader(entry));
      const binary = c.additions === null && entry.status !== 'unmerged';
      const shown = piece && !piece.tooLarge;
      return {
        path: entry.path,
        oldPath: entry.oldPath,
        status: entry.status,
        binary,
        untracked: entry.status === 'added' && index.untracked.has(entry.path),
        additions: c.additions,
        deletions: c.deletions,
        patch: shown ? piece.text : '',
        truncated: !shown,
        reason: shown ? null : piece ? FILE_REASON(piece.bytes, limits.maxFileBytes) : TOTAL_REASON(limits.maxBytes),
      };
    });
    return { base, mergeBase, head, branch, files, additions, deletions, truncated: files.some((f) => f.truncated) };
  } finally {
    index.dispose();
  }
}

/**
 * The review diff of a worktree rdv knows: against `options.base`, else the base it was
 * made from, else the repository's default branch. AppError(conflict) for a worktree in
 * the trash or removed.
 */
export async function diffOfWorktree(wt: Worktree, options: DiffLimits & { base?: string }): Promise<WorktreeDiff> {
  if (wt.status !== 'active') throw new AppError('conflict', `worktree ${wt.path} is ${wt.status === 'trashed' ? 'in the trash' : 'removed'}; there is nothing to diff`);
  const base = options.base ?? wt.base ?? (await defaultBranch(wt.repoPath));
  const diff = await diffWorktree(wt.path, base, options);
  return { worktreeId: wt.id, sessionId: wt.sessionId, path: wt.path, ...diff, maxBytes: options.maxBytes, maxFileBytes: options.maxFileBytes };
}
