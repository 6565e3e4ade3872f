import type { Command } from 'commander';
import { DiffBaseSchema, DIFF_MAX_BYTES_LIMIT, type WorktreeDiff } from '@rdv/core/schemas';
import { PathArgSchema, countArg, examples, parseArgs } from '../args.js';
import { contextFor, type CliContext } from '../context.js';
import { shortId } from '../output.js';

const SGR = { reset: '\u001b[0m', bold: '\u001b[1m', red: '\u001b[31m', green: '\u001b[32m', cyan: '\u001b[36m', dim: '\u001b[2m' } as const;

// What the diff shows is the worktree's content, so it may hold escape sequences; on a
// terminal they are shown, never obeyed (piped output stays byte for byte, for `git apply`).
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const visible = (text: string) => text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/** One line of a unified diff, coloured the way git colours it. */
function colourLine(line: string): string {
  const safe = visible(line);
  if (/^(diff --git|index |--- |\+\+\+ |new file|deleted file|similarity|rename |old mode|new mode|Binary files)/.test(line)) return `${SGR.bold}${safe}${SGR.reset}`;
  if (line.startsWith('@@')) return `${SGR.cyan}${safe}${SGR.reset}`;
  if (line.startsWith('+')) return `${SGR.green}${safe}${SGR.reset}`;
  if (line.startsWith('-')) return `${SGR.red}${safe}${SGR.reset}`;
  return safe;
}

const countsOf = (f: WorktreeDiff['files'][number]) => (f.binary ? 'binary' : `+${f.additions ?? 0} -${f.deletions ?? 0}`);

function printStat(ctx: CliContext, diff: WorktreeDiff, tty: boolean): void {
  const name = (f: WorktreeDiff['files'][number]) => {
    const path = f.oldPath ? `${f.oldPath} → ${f.path}` : f.path;
    return tty ? visible(path) : path;
  };
  ctx.out.table(
    ['STATUS', 'CHANGES', 'FILE'],
    diff.files.map((f) => [f.untracked ? 'untracked' : f.status, countsOf(f), name(f)]),
  );
}

function printPatches(ctx: CliContext, diff: WorktreeDiff, tty: boolean): void {
  for (const f of diff.files) {
    if (f.truncated) {
      const note = `# ${f.path}: ${countsOf(f)}, ${f.reason ?? 'not shown'}`;
      ctx.out.line(tty ? `${SGR.dim}${visible(note)}${SGR.reset}` : note);
      continue;
    }
    const text = f.patch.endsWith('\n') ? f.patch.slice(0, -1) : f.patch;
    ctx.out.line(tty ? text.split('\n').map(colourLine).join('\n') : text);
  }
}

/** `rdv worktree diff <session>`: what a session's worktree changed against its base. */
export function registerWorktreeDiff(wt: Command): void {
  const cmd = wt
    .command('diff')
    .description("a worktree's changes against where its branch left the base: commits, uncommitted and untracked files")
    .argument('<session>', 'the session (name or id) whose worktree to diff, or a worktree path')
    .option('--base <ref>', "diff against this branch, tag or commit instead of the worktree's base")
    .option('--stat', 'only the files and their added/removed line counts')
    .option('--max-bytes <bytes>', 'at most this much diff text in all (default 1 MiB); files past it are listed as too large')
    .option('--max-file-bytes <bytes>', 'at most this much diff text for one file (default 256 KiB)')
    .action(async (ref: string, o: { base?: string; stat?: boolean; maxBytes?: string; maxFileBytes?: string }, command: Command) => {
      const ctx = contextFor(command);
      const base = o.base === undefined ? undefined : parseArgs(DiffBaseSchema, o.base, '--base');
      const bytes = (value: string | undefined, flag: string) => (value === undefined ? undefined : parseArgs(countArg(DIFF_MAX_BYTES_LIMIT), value, flag));
      const maxBytes = bytes(o.maxBytes, '--max-bytes');
      const maxFileBytes = bytes(o.maxFileBytes, '--max-file-bytes');
      const target = ref.startsWith('/') || ref.startsWith('.') ? { path: parseArgs(PathArgSchema, ref, 'worktree path') } : { sessionId: (await ctx.session(ref)).id };
      const diff = (await ctx.api().GET('/api/worktrees/diff', { params: { query: { ...target, base, maxBytes, maxFileBytes } } })) as WorktreeDiff;
      if (ctx.out.json) return ctx.out.printJson(diff);
      const tty = Boolean(process.stdout.isTTY);
      if (!diff.files.length) return ctx.out.note(`no changes against ${diff.base} (merge base ${shortId(diff.mergeBase)})`);
      if (o.stat) printStat(ctx, diff, tty);
      else printPatches(ctx, diff, tty);
      ctx.out.note(`${diff.files.length} file(s) changed, +${diff.additions} -${diff.deletions} against ${diff.base}${diff.truncated ? '; some files too large to show' : ''}`);
    });
  examples(cmd, ['rdv worktree diff fix-42', 'rdv worktree diff fix-42 --stat', 'rdv worktree diff fix-42 --base origin/release --max-file-bytes 4000000 | less', 'rdv worktree diff fix-42 --json | jq -r \'.files[].path\'']);
}
