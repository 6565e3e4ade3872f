import type { Command } from 'commander';
import {
  CreateFolderSchema,
  NameSchema,
  UpdateFolderSchema,
  type Folder,
} from '@rdv/core/schemas';
import { PathArgSchema, collect, examples, isNoFolder, parseArgs, parseEnvPairs } from '../args.js';
import { contextFor, type CliContext } from '../context.js';
import { shortId, tildify } from '../output.js';
import { printFolderTree, printSessions } from '../views.js';

interface FolderOpts {
  parent?: string;
  cwd?: string;
  agent?: string;
  env?: string[];
}

async function showContext(ctx: CliContext, ref: string): Promise<void> {
  const folder = await ctx.folder(ref);
  const c = await ctx.api().GET('/api/folders/{id}/context', { params: { path: { id: folder.id } } });
  if (ctx.out.json) return ctx.out.printJson(c);
  const path = [...c.ancestors, c.folder].map((f) => f.name).join(' / ');
  const p = c.preferences;
  const from = (src: string | null) => (src === null ? '' : src === 'user' ? ' (your default)' : src === c.folder.id ? '' : ' (inherited)');
  ctx.out.pairs([
    ['folder', path],
    ['id', c.folder.id],
    ['cwd', `${p.defaultCwd ? tildify(p.defaultCwd) : '-'}${from(p.sources.defaultCwd)}`],
    ['agent', `${p.defaultAgent ?? '-'}${from(p.sources.defaultAgent)}`],
    ['env', Object.keys(p.env).length ? Object.keys(p.env).join(', ') : '-'],
    ['subfolders', c.children.length ? c.children.map((f) => f.name).join(', ') : '-'],
  ]);
  ctx.out.line();
  printSessions(ctx.out, c.sessions, [c.folder], 'no open sessions in this folder');
}

/** `rdv folder …`: list, create, show (context), rename, move, delete. */
export function registerFolder(program: Command): void {
  const folder = program.command('folder').alias('f').description('manage folders: groups of sessions with shared defaults (cwd, agent, env)');
  examples(folder, ['rdv folder list', 'rdv folder create work --cwd ~/src', 'rdv session move api work']);

  folder
    .command('list')
    .alias('ls')
    .description('the folder tree with open session counts')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const folders = await ctx.api().GET('/api/folders');
      if (ctx.out.json) return ctx.out.printJson(folders);
      const sessions = (await ctx.api().GET('/api/sessions', { params: { query: { status: 'open' } } })).items;
      printFolderTree(ctx.out, folders.items, sessions);
    });

  const create = folder
    .command('create')
    .alias('new')
    .description('create a folder')
    .argument('<name>', 'the folder name')
    .option('--parent <folder>', 'create it inside this folder (name or id)')
    .option('--cwd <dir>', 'default working directory for its sessions')
    .option('--agent <agent>', 'default agent for its agent sessions')
    .option('--env <KEY=VALUE>', 'environment variable for its sessions (repeatable)', collect)
    .action(async (name: string, o: FolderOpts, cmd: Command) => {
      const ctx = contextFor(cmd);
      const body = parseArgs(CreateFolderSchema, {
        name,
        ...(o.cwd ? { defaultCwd: parseArgs(PathArgSchema, o.cwd, '--cwd') } : {}),
        ...(o.agent ? { defaultAgent: o.agent } : {}),
        ...(o.env ? { env: parseEnvPairs(o.env) } : {}),
      }, undefined, { defaultCwd: '--cwd', defaultAgent: '--agent', env: '--env', name: '<name>' });
      if (o.parent) body.parentId = (await ctx.folder(o.parent)).id;
      const created = await ctx.api().POST('/api/folders', { body });
      if (ctx.out.json) ctx.out.printJson(created);
      else ctx.out.line(`created folder ${created.name} (${shortId(created.id)})`);
    });
  examples(create, ['rdv folder create work', 'rdv folder create api --parent work --cwd ~/src/api --agent claude']);

  folder
    .command('show')
    .alias('context')
    .description('a folder with its path, effective defaults, subfolders and sessions')
    .argument('<folder>', 'name or id')
    .action(async (ref: string, _o: unknown, cmd: Command) => showContext(contextFor(cmd), ref));

  const update = async (cmd: Command, ref: string, change: Record<string, unknown>, done: (f: Folder) => string) => {
    const ctx = contextFor(cmd);
    const target = await ctx.folder(ref);
    const body = parseArgs(UpdateFolderSchema, change, undefined, { defaultCwd: '--cwd', defaultAgent: '--agent', env: '--env' });
    const updated = await ctx.api().PATCH('/api/folders/{id}', { params: { path: { id: target.id } }, body });
    if (ctx.out.json) ctx.out.printJson(updated);
    else ctx.out.line(done(updated));
  };

  folder
    .command('rename')
    .description('rename a folder')
    .argument('<folder>', 'name or id')
    .argument('<new-name>', 'the new name')
    .action(async (ref: string, name: string, _o: unknown, cmd: Command) =>
      update(cmd, ref, { name: parseArgs(NameSchema, name, 'new name') }, (f) => `renamed folder to ${f.name}`),
    );

  folder
    .command('set')
    .description('change a folder\'s defaults')
    .argument('<folder>', 'name or id')
    .option('--cwd <dir>', 'default working directory ("none" to clear)')
    .option('--agent <agent>', 'default agent ("none" to clear)')
    .option('--env <KEY=VALUE>', 'replace its environment variables (repeatable)', collect)
    .action(async (ref: string, o: FolderOpts, cmd: Command) => {
      const change: Record<string, unknown> = {};
      if (o.cwd !== undefined) change.defaultCwd = isNoFolder(o.cwd) ? null : parseArgs(PathArgSchema, o.cwd, '--cwd');
      if (o.agent !== undefined) change.defaultAgent = isNoFolder(o.agent) ? null : o.agent;
      if (o.env !== undefined) change.env = parseEnvPairs(o.env);
      await update(cmd, ref, change, (f) => `updated folder ${f.name}`);
    });

  folder
    .command('move')
    .description('move a folder under another ("none" for the top level)')
    .argument('<folder>', 'name or id')
    .argument('<parent>', 'the new parent folder, or none')
    .action(async (ref: string, parentRef: string, _o: unknown, cmd: Command) => {
      const parentId = isNoFolder(parentRef) ? null : (await contextFor(cmd).folder(parentRef)).id;
      await update(cmd, ref, { parentId }, (f) => `moved folder ${f.name}`);
    });

  folder
    .command('delete')
    .alias('rm')
    .description('delete a folder; its sessions and subfolders move up to its parent (idempotent)')
    .argument('<folder>', 'name or id')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const target = await ctx.folder(ref);
      const result = await ctx.api().DELETE('/api/folders/{id}', { params: { path: { id: target.id } } });
      if (ctx.out.json) return ctx.out.printJson(result);
      ctx.out.line(`deleted folder ${target.name}; moved ${result.movedSessions} session(s) and ${result.movedFolders} folder(s) up`);
    });
}
