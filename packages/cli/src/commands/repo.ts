import type { Command } from 'commander';
import { AppError } from '@rdv/core/errors';
import type { Repository } from '@rdv/core/schemas';
import { followEvents, type RdvClient } from '@rdv/client';
import { examples } from '../args.js';
import { contextFor } from '../context.js';
import { CliError } from '../errors.js';
import { relativeTime, shortId, tildify } from '../output.js';
import { findIdentity } from './identity.js';

/** A repository by id, id prefix (4+ characters) or URL. */
async function findRepository(api: RdvClient, ref: string): Promise<Repository> {
  const { items } = await api.GET('/api/repositories');
  const found = items.filter((r) => r.id === ref || r.url === ref || (ref.length >= 4 && r.id.startsWith(ref)));
  if (found.length === 1) return found[0]!;
  if (found.length > 1) throw new CliError(`${ref} matches several repositories; use the id from \`rdv repo list\``);
  throw new CliError(`repository ${ref} not found; see \`rdv repo list\``);
}

/**
 * Starts a clone and follows it on the event stream, handing each of git's progress lines to
 * `onLine`, until it is ready (resolved) or failed (rejected with the reason).
 */
async function cloneFollowing(api: RdvClient, body: { url: string; identityId?: string }, onLine: (line: string) => void): Promise<Repository> {
  const seen: { type: string; data: Record<string, unknown> }[] = [];
  let wake = () => {};
  let opened = () => {};
  const open = new Promise<void>((resolve) => (opened = resolve));
  const stream = followEvents(api, {
    onOpen: () => opened(),
    onEvent: (e) => {
      seen.push(e);
      wake();
    },
    onError: (_err, willRetry) => {
      if (!willRetry) opened();
    },
  });
  try {
    await open;
    const started = await api.POST('/api/repositories', { body: { ...body, wait: false } });
    for (let i = 0; ; ) {
      for (; i < seen.length; i++) {
        const { type, data } = seen[i]!;
        if (type === 'repository.progress' && data.repositoryId === started.id) onLine(String(data.line));
        const repo = data.repository as Repository | undefined;
        if (type === 'repository.updated' && repo?.id === started.id && repo.status !== 'cloning') {
          if (repo.status === 'failed') throw new AppError('unavailable', repo.error ?? 'the clone failed');
          return repo;
        }
      }
      const now = await api.GET('/api/repositories/{id}', { params: { path: { id: started.id } } });
      // The stream may have been refused: the record still says how it ended.
      if (now.status === 'ready') return now;
      if (now.status === 'failed') throw new AppError('unavailable', now.error ?? 'the clone failed');
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 1000);
      });
    }
  } finally {
    stream.close();
  }
}

const describe = (r: Repository) => `${r.url} (${shortId(r.id)}) ${r.status}${r.defaultBranch ? `, default branch ${r.defaultBranch}` : ''}${r.hostKey ? `, host key ${r.hostKey}` : ''}`;

/** `rdv repo …`: repositories cloned into bare mirrors under RDV_HOME/repos. */
export function registerRepo(program: Command): void {
  const repo = program.command('repo').alias('repository').description('manage cloned repositories (bare mirrors that worktree sessions start from)');
  examples(repo, ['rdv repo add git@github.com:owner/app.git', 'rdv repo list', 'rdv session create fix --repository <id> --branch fix-42']);

  const add = repo
    .command('add')
    .alias('clone')
    .description('clone a repository (ssh, https or a local path) as an identity; waits for the clone unless --no-wait')
    .argument('<url>', 'ssh://user@host/path, git@host:owner/repo.git, https://host/path or a local path')
    .option('--identity <identity>', 'clone and fetch as this identity (default: yours)')
    .option('--no-wait', 'answer at once; follow it with `rdv repo list`')
    .action(async (url: string, o: { identity?: string; wait: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const identityId = o.identity ? (await findIdentity(ctx.api(), o.identity)).id : undefined;
      const body = { url, ...(identityId ? { identityId } : {}) };
      // People see git's progress as it comes; scripts (--json) get the result only.
      const created =
        o.wait && !ctx.out.json
          ? await cloneFollowing(ctx.api(), body, (line) => ctx.out.note(line))
          : await ctx.api().POST('/api/repositories', { body: { ...body, wait: o.wait } });
      if (ctx.out.json) return ctx.out.printJson(created);
      ctx.out.line(`${created.status === 'cloning' ? 'cloning' : 'cloned'} ${describe(created)}`);
      if (created.hostKey) ctx.out.note(`the host key ${created.hostKey} is pinned in known_hosts; a change will be refused`);
    });
  examples(add, ['rdv repo add git@github.com:owner/app.git', 'rdv repo add ssh://git@git.example.com:2222/team/app.git --identity work', 'rdv repo add ~/src/app --no-wait']);

  repo
    .command('list')
    .alias('ls')
    .description('list your repositories')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const result = await ctx.api().GET('/api/repositories');
      if (ctx.out.json) return ctx.out.printJson(result);
      ctx.out.table(
        ['URL', 'ID', 'STATUS', 'DEFAULT', 'FETCHED', 'MIRROR'],
        result.items.map((r) => [r.url, shortId(r.id), r.status === 'failed' ? `failed: ${r.error ?? ''}` : r.status, r.defaultBranch ?? '-', relativeTime(r.lastFetchedAt), tildify(r.path)]),
        'no repositories; clone one with `rdv repo add <url>`',
      );
    });

  repo
    .command('fetch')
    .description('fetch a repository now (after a failed clone: clone again)')
    .argument('<repository>', 'id, id prefix or URL')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const found = await findRepository(ctx.api(), ref);
      const result = await ctx.api().POST('/api/repositories/{id}/fetch', { params: { path: { id: found.id } } });
      if (ctx.out.json) return ctx.out.printJson(result);
      ctx.out.line(`fetched ${describe(result)}`);
    });

  repo
    .command('remove')
    .alias('rm')
    .description('delete a repository mirror (refused while worktrees of it exist)')
    .argument('<repository>', 'id, id prefix or URL')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const found = await findRepository(ctx.api(), ref);
      const result = await ctx.api().DELETE('/api/repositories/{id}', { params: { path: { id: found.id } } });
      if (ctx.out.json) return ctx.out.printJson(result);
      ctx.out.line(`removed ${result.url}`);
    });

  const forget = repo
    .command('forget-host')
    .description("forget a host's pinned SSH key after a change you expected (the next connection pins the new one)")
    .argument('<host>', 'host, or [host]:port as the error named it')
    .action(async (host: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const result = await ctx.api().POST('/api/repositories/forget-host', { body: { host } });
      if (ctx.out.json) return ctx.out.printJson(result);
      ctx.out.line(result.forgotten ? `forgot the host key of ${host}` : `no host key of ${host} was pinned`);
    });
  examples(forget, ['rdv repo forget-host github.com', "rdv repo forget-host '[git.example.com]:2222'"]);
}
