import type { Command } from 'commander';
import { CreateFolderHookSchema, HOOK_EVENTS, ListHookRunsQuerySchema, UpdateFolderHookSchema, type FolderHook } from '@rdv/core/schemas';
import { collect, examples, parseArgs } from '../args.js';
import { contextFor, type CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { relativeTime, shortId, truncate } from '../output.js';

/** argv as a person would read it: each word shown as JSON when it needs quoting. */
const showArgv = (argv: string[]) => argv.map((a) => (/^[\w./:=@%+-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');

async function hookOf(ctx: CliContext, folderId: string, ref: string): Promise<FolderHook> {
  const { items } = await ctx.api().GET('/api/folders/{id}/hooks', { params: { path: { id: folderId } } });
  const found = items.filter((h) => h.id === ref || h.name === ref || (ref.length >= 4 && h.id.startsWith(ref.toLowerCase())));
  if (found.length === 1) return found[0]!;
  if (found.length > 1) throw new CliError(`several hooks match ${ref}; use an id from \`rdv hooks list\``);
  throw new CliError(`hook ${ref} not found in this folder; see \`rdv hooks list <folder>\``);
}

const seconds = (v: string | undefined) => (v === undefined ? undefined : Number(v) * 1000);

/** `rdv hooks …`: commands run on a folder's session events. */
export function registerHooks(program: Command): void {
  const hooks = program.command('hooks').description(`commands run on a folder's session events (${HOOK_EVENTS.join(', ')}), inherited by subfolders`);
  examples(hooks, ['rdv hooks add api --name tests --on turn_finished -- npm test', 'rdv hooks runs api tests']);

  hooks
    .command('list')
    .alias('ls')
    .description("the hooks that run for a folder's sessions (its own and its ancestors')")
    .argument('<folder>', 'name or id')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const folder = await ctx.folder(ref);
      const list = await ctx.api().GET('/api/folders/{id}/hooks', { params: { path: { id: folder.id } } });
      if (ctx.out.json) return ctx.out.printJson(list);
      ctx.out.table(
        ['ID', 'NAME', 'FOLDER', 'ON', 'COMMAND', 'TIMEOUT', 'ENABLED'],
        list.items.map((h) => [shortId(h.id), h.name, h.folderName, h.events.join(','), truncate(showArgv(h.argv), 60), `${h.timeoutMs / 1000}s`, h.enabled ? 'yes' : 'no']),
        `no hooks for ${folder.name}; add one with \`rdv hooks add ${folder.name} --name … --on … -- <command>\``,
      );
    });

  const add = hooks
    .command('add')
    .description('add a hook: the command runs as given (no shell; write `sh -c "…"` for one), the event as JSON on stdin')
    .argument('<folder>', 'name or id')
    .argument('<command...>', 'the program and its arguments (after --)')
    .requiredOption('--name <name>', 'what to call it')
    .requiredOption('--on <event>', `an event: ${HOOK_EVENTS.join(', ')} (repeatable)`, collect)
    .option('--timeout <seconds>', 'end it after this long (default 30)')
    .option('--disabled', 'add it switched off')
    .action(async (ref: string, argv: string[], o: { name: string; on: string[]; timeout?: string; disabled?: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const body = parseArgs(
        CreateFolderHookSchema,
        { name: o.name, events: o.on, argv, ...(o.timeout ? { timeoutMs: seconds(o.timeout) } : {}), enabled: !o.disabled },
        undefined,
        { name: '--name', events: '--on', timeoutMs: '--timeout', argv: '<command>' },
      );
      const folder = await ctx.folder(ref);
      const created = await ctx.api().POST('/api/folders/{id}/hooks', { params: { path: { id: folder.id } }, body });
      if (ctx.out.json) ctx.out.printJson(created);
      else ctx.out.line(`added hook ${created.name} (${shortId(created.id)}) to ${folder.name}: on ${created.events.join(', ')} runs ${showArgv(created.argv)}`);
    });
  examples(add, [
    'rdv hooks add api --name tests --on turn_finished -- npm test',
    'rdv hooks add work --name log --on created --on closed -- sh -c \'cat >> ~/rdv-events.jsonl\'',
  ]);

  for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
    hooks
      .command(name)
      .description(`${name} one of the folder's own hooks`)
      .argument('<folder>', 'name or id')
      .argument('<hook>', 'hook name or id')
      .action(async (ref: string, hookRef: string, _o: unknown, cmd: Command) => {
        const ctx = contextFor(cmd);
        const folder = await ctx.folder(ref);
        const hook = await hookOf(ctx, folder.id, hookRef);
        const body = parseArgs(UpdateFolderHookSchema, { enabled });
        const updated = await ctx.api().PATCH('/api/folders/{id}/hooks/{hookId}', { params: { path: { id: folder.id, hookId: hook.id } }, body });
        if (ctx.out.json) ctx.out.printJson(updated);
        else ctx.out.line(`${name}d hook ${updated.name}`);
      });
  }

  hooks
    .command('rm')
    .alias('delete')
    .description("delete one of the folder's own hooks")
    .argument('<folder>', 'name or id')
    .argument('<hook>', 'hook name or id')
    .action(async (ref: string, hookRef: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const folder = await ctx.folder(ref);
      const hook = await hookOf(ctx, folder.id, hookRef);
      const result = await ctx.api().DELETE('/api/folders/{id}/hooks/{hookId}', { params: { path: { id: folder.id, hookId: hook.id } } });
      if (ctx.out.json) ctx.out.printJson(result);
      else ctx.out.line(`deleted hook ${hook.name}`);
    });

  hooks
    .command('runs')
    .description("a hook's recent runs with their output")
    .argument('<folder>', 'name or id')
    .argument('<hook>', 'hook name or id')
    .option('-n, --limit <n>', 'at most this many', '10')
    .action(async (ref: string, hookRef: string, o: { limit: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const folder = await ctx.folder(ref);
      const hook = await hookOf(ctx, folder.id, hookRef);
      const query = parseArgs(ListHookRunsQuerySchema, { limit: o.limit }, undefined, { limit: '--limit' });
      const runs = await ctx.api().GET('/api/folders/{id}/hooks/{hookId}/runs', { params: { path: { id: folder.id, hookId: hook.id }, query } });
      if (ctx.out.json) return ctx.out.printJson(runs);
      if (!runs.items.length) return ctx.out.note(`hook ${hook.name} has not run yet`);
      for (const r of runs.items) {
        const how = r.error ? `failed to start: ${r.error}` : r.timedOut ? `timed out after ${r.durationMs} ms` : `exit ${r.exitCode ?? r.signal}`;
        ctx.out.line(`${relativeTime(r.startedAt)}  ${r.event}  ${how}  session ${r.sessionId ? shortId(r.sessionId) : '-'}`);
        for (const [label, text] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
          if (text.trim()) ctx.out.line(`  ${label}: ${text.trimEnd().split('\n').join('\n          ')}`);
        }
      }
    });
}
