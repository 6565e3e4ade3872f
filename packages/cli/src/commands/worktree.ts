import type { Command } from 'commander';
import { z } from 'zod';
import { AbsolutePathSchema, BranchSchema, IdSchema } from '@rdv/core/schemas';
import { worktreeStatus, type RdvClient } from '@rdv/client';
import { PathArgSchema, countArg, examples, parseArgs } from '../args.js';
import { UsageError } from '../errors.js';
import { contextFor } from '../context.js';
import { relativeTime, shortId, tildify } from '../output.js';
import { printLoose, type Loose } from '../views.js';
import { registerWorktreeDiff } from './worktree-diff.js';

const CreateArgsSchema = z.object({
  repoPath: PathArgSchema.pipe(AbsolutePathSchema).optional(),
  repositoryId: IdSchema.optional(),
  branch: BranchSchema,
  base: BranchSchema.optional(),
});
const ListStatusSchema = z.enum(['active', 'trashed', 'removed', 'all'], { message: 'must be active, trashed, removed or all' });

const worktreeRef = (ref: string) => (IdSchema.safeParse(ref).success ? { id: ref } : { path: parseArgs(PathArgSchema, ref, 'worktree path') });
const optionalPath = (p: string | undefined, what: string) => (p === undefined ? undefined : parseArgs(PathArgSchema, p, what));

/** Status of one worktree, one repository's, or (no ref) every active worktree's, grouped by repository. */
async function gatherStatus(api: RdvClient, ref: string | undefined, repo: string | undefined) {
  return (await worktreeStatus(api, ref ? worktreeRef(ref) : repo ? { repoPath: repo } : {})).items;
}

const plusMinus = (ahead: unknown, behind: unknown) => (ahead === null || ahead === undefined ? '-' : `+${String(ahead)} -${String(behind ?? 0)}`);

/** `rdv worktree …`: list, create, remove, status, cleanup (the api's /api/worktrees). */
export function registerWorktree(program: Command): void {
  const wt = program.command('worktree').alias('wt').description('manage git worktrees (a session can get its own with `rdv session create --repo --branch`)');
  examples(wt, ['rdv worktree list', 'rdv worktree create --repo ~/src/app --branch fix-42', 'rdv worktree status --repo .', 'rdv worktree diff fix-42']);

  wt.command('list')
    .alias('ls')
    .description('list your worktrees (active ones unless --all)')
    .option('--repo <path>', 'only this repository')
    .option('-a, --all', 'trashed and removed ones too')
    .action(async (o: { repo?: string; all?: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const status = parseArgs(ListStatusSchema, o.all ? 'all' : 'active');
      const result = await ctx.api().GET('/api/worktrees', { params: { query: { repoPath: optionalPath(o.repo, '--repo'), status } } });
      if (ctx.out.json) return ctx.out.printJson(result);
      ctx.out.table(
        ['BRANCH', 'ID', 'STATUS', 'PATH', 'REPOSITORY', 'SESSION', 'CREATED'],
        result.items.map((w) => [
          String(w.branch),
          shortId(String(w.id)),
          String(w.status),
          tildify(String(w.path)),
          tildify(String(w.repoPath)),
          w.sessionId ? shortId(String(w.sessionId)) : '-',
          relativeTime(String(w.createdAt)),
        ]),
        'no worktrees; create one with `rdv worktree create --repo <path> --branch <name>`',
      );
    });

  const create = wt
    .command('create')
    .description('create a worktree for a branch (new from --base, or an existing local/remote branch)')
    .option('--repo <path>', 'the git repository on disk')
    .option('--repository <id>', 'a repository cloned with `rdv repo add` (fetched first)')
    .requiredOption('--branch <branch>', 'the branch')
    .option('--base <ref>', 'where a new branch starts (default: the repository\'s default branch)')
    .action(async (o: { repo?: string; repository?: string; branch: string; base?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      if (Boolean(o.repo) === Boolean(o.repository)) throw new UsageError('give --repo <path> or --repository <id>');
      const source = o.repo ? { repoPath: o.repo } : { repositoryId: parseArgs(IdSchema, o.repository, '--repository') };
      const body = parseArgs(CreateArgsSchema, { ...source, branch: o.branch, ...(o.base ? { base: o.base } : {}) });
      const created = await ctx.api().POST('/api/worktrees', { body });
      if (ctx.out.json) return ctx.out.printJson(created);
      ctx.out.line(`created worktree ${String(created.path)} on branch ${String(created.branch)}`);
    });
  examples(create, [
    'rdv worktree create --repo ~/src/app --branch fix-42',
    'rdv worktree create --repo . --branch spike --base origin/main',
    'rdv worktree create --repository 3f2a… --branch fix-42',
  ]);

  const push = wt
    .command('push')
    .description("push a worktree's branch to its origin as its identity; prints the pull/merge request URL on GitHub and GitLab")
    .argument('<worktree>', 'its id or path')
    .option('--identity <id>', "push as this identity (default: the session's, the repository's or yours)")
    .option('--remote-branch <name>', 'the branch name on the remote (default: the same)')
    .action(async (ref: string, o: { identity?: string; remoteBranch?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const body = {
        ...worktreeRef(ref),
        ...(o.identity ? { identityId: parseArgs(IdSchema, o.identity, '--identity') } : {}),
        ...(o.remoteBranch ? { remoteBranch: o.remoteBranch } : {}),
      };
      const result = await ctx.api().POST('/api/worktrees/push', { body });
      if (ctx.out.json) return ctx.out.printJson(result);
      ctx.out.line(`pushed ${result.branch} to ${result.remote} (${result.remoteBranch})`);
      if (result.compareUrl) ctx.out.line(`open a pull request: ${result.compareUrl}`);
    });
  examples(push, ['rdv worktree push ~/src/app-worktrees/fix-42', 'rdv worktree push 3f2a… --remote-branch fix-42-v2', 'rdv worktree push . --json']);

  wt.command('remove')
    .alias('rm')
    .description('remove a worktree (refused with uncommitted or unpushed changes unless --force)')
    .argument('<worktree>', 'its id or path')
    .option('--force', 'remove even with uncommitted or unpushed changes')
    .action(async (ref: string, o: { force?: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const result = await ctx.api().DELETE('/api/worktrees', { body: { ...worktreeRef(ref), ...(o.force ? { force: true } : {}) } });
      if (ctx.out.json) return ctx.out.printJson(result);
      ctx.out.line(`removed worktree ${String(result.path ?? ref)}`);
    });

  wt.command('status')
    .description('git status of worktrees: branch, ahead/behind, changes, unpushed commits')
    .argument('[worktree]', 'one worktree (id or path); default: all')
    .option('--repo <path>', 'the worktrees of this repository')
    .action(async (ref: string | undefined, o: { repo?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const items = await gatherStatus(ctx.api(), ref, optionalPath(o.repo, '--repo'));
      if (ctx.out.json) return ctx.out.printJson({ items });
      ctx.out.table(
        ['BRANCH', 'PATH', 'VS BASE', 'VS UPSTREAM', 'CHANGED', 'UNPUSHED', 'MERGED'],
        items.map((w) => {
          const g = (w.git ?? {}) as Loose;
          return [
            String(w.branch),
            tildify(String(w.path)),
            plusMinus(g.aheadOfBase, g.behindBase),
            plusMinus(g.aheadOfUpstream, g.behindUpstream),
            String(Array.isArray(g.dirtyFiles) ? g.dirtyFiles.length : '-'),
            String(g.unpushedCommits ?? '-'),
            g.merged ? 'yes' : 'no',
          ];
        }),
        'no worktrees',
      );
    });

  const cleanup = wt
    .command('cleanup')
    .description('find merged, stale and orphaned worktrees; --remove removes those without changes')
    .option('--repo <path>', 'only this repository')
    .option('--stale-days <days>', 'untouched for this many days counts as stale')
    .option('--remove', 'remove what was found (never ones with changes)')
    .action(async (o: { repo?: string; staleDays?: string; remove?: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const body = {
        ...(o.repo ? { repoPath: optionalPath(o.repo, '--repo') } : {}),
        ...(o.staleDays ? { staleDays: parseArgs(countArg(3650), o.staleDays, '--stale-days') } : {}),
        remove: Boolean(o.remove),
      };
      const result = await ctx.api().POST('/api/worktrees/cleanup', { body });
      if (ctx.out.json) return ctx.out.printJson(result);
      printLoose(ctx.out, result.items, ['branch', 'path', 'reasons', 'blockers', 'removed'], 'nothing to clean up');
    });
  examples(cleanup, ['rdv worktree cleanup', 'rdv worktree cleanup --repo . --remove']);

  registerWorktreeDiff(wt);
}
