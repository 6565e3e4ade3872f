import type { Command } from 'commander';
import { z } from 'zod';
import {
  CommandLineSchema,
  CreateSessionSchema,
  NameSchema,
  SESSION_STATUSES,
  type Session,
} from '@rdv/core/schemas';
import { PathArgSchema, collect, countArg, examples, isNoFolder, parseArgs, parseEnvPairs } from '../args.js';
import { contextFor, type CliContext } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { printSession, printSessions } from '../views.js';
import { runAttach } from './attach.js';
import { registerSessionContinuity } from './session-log.js';

const ListArgsSchema = z.object({
  status: z.enum([...SESSION_STATUSES, 'open', 'all'], { message: `must be one of open, all, ${SESSION_STATUSES.join(', ')}` }),
});

const CREATE_FLAGS = { agent: '--agent', command: '--command', cwd: '--cwd', env: '--env', worktree: '--repo/--branch', identityId: '--identity', name: '<name>' };

interface CreateOpts {
  agent?: string;
  command?: string;
  cwd?: string;
  folder?: string;
  env?: string[];
  repo?: string;
  repository?: string;
  identity?: string;
  branch?: string;
  base?: string;
  attach?: boolean;
  host?: string;
}

const HOST_OPTION = ['--host <host>', 'on another host (name or id, see `rdv host list`)'] as const;
/** `?host=` for a request, when --host names another machine. */
const onHost = (host?: string) => (host && host !== 'local' ? { host } : {});

async function create(ctx: CliContext, name: string, o: CreateOpts): Promise<void> {
  if ((o.repo || o.repository || o.base) && !o.branch) throw new UsageError('--repo needs --branch (the worktree\'s branch)');
  if (o.branch && !o.repo && !o.repository) throw new UsageError('--branch needs --repo or --repository (the git repository to make a worktree of)');
  if (o.repo && o.repository) throw new UsageError('give --repo <path> or --repository <id>, not both');
  if (o.attach && !(process.stdin.isTTY && process.stdout.isTTY)) throw new UsageError('--attach needs an interactive terminal');
  const cwd = o.cwd === undefined ? undefined : parseArgs(PathArgSchema, o.cwd, '--cwd');
  const repo = o.repo === undefined ? undefined : parseArgs(PathArgSchema, o.repo, '--repo');
  const base = {
    name,
    kind: o.agent ? 'agent' : 'shell',
    ...(o.agent ? { agent: o.agent } : {}),
    ...(o.command ? { command: o.command } : {}),
    ...(cwd ? { cwd } : {}),
    ...(o.env ? { env: parseEnvPairs(o.env) } : {}),
    ...(repo ? { worktree: { repoPath: repo, branch: o.branch, ...(o.base ? { base: o.base } : {}) } } : {}),
    ...(o.repository ? { worktree: { repositoryId: o.repository, branch: o.branch, ...(o.base ? { base: o.base } : {}) } } : {}),
    ...(o.identity ? { identityId: o.identity } : {}),
  };
  const body = parseArgs(CreateSessionSchema, base, undefined, CREATE_FLAGS);
  if (o.folder && o.host) throw new UsageError('--folder names a folder of this machine; leave it out with --host');
  if (o.folder) body.folderId = (await ctx.folder(o.folder)).id;
  let session: Session;
  try {
    session = await ctx.api().POST('/api/sessions', { body, params: { query: onHost(o.host) } });
  } catch (err) {
    if (repo && /unknown field\(s\): worktree/.test((err as Error).message)) {
      throw new CliError('this rdv server cannot create sessions with a worktree yet; create the worktree with `rdv worktree create` and pass --cwd');
    }
    throw err;
  }
  if (ctx.out.json) ctx.out.printJson(session);
  else if (!o.attach) ctx.out.line(`created session ${session.name} (${session.id}); attach with \`rdv attach ${session.name}${o.host ? ` --host ${o.host}` : ''}\``);
  if (o.attach) process.exitCode = await runAttach(ctx, session.id, { host: o.host });
}

/** Runs `fn` on each session ref; failures are reported and make the exit code 1. */
async function eachSession(ctx: CliContext, refs: string[], fn: (s: Session) => Promise<Session>, verb: string): Promise<void> {
  const done: Session[] = [];
  let failures = 0;
  for (const ref of refs) {
    try {
      const result = await fn(await ctx.session(ref));
      done.push(result);
      if (!ctx.out.json) ctx.out.line(`${verb} ${result.name} (${result.status})`);
    } catch (err) {
      if (refs.length === 1) throw err;
      failures++;
      ctx.out.note(`rdv: ${ref}: ${(err as Error).message}`);
    }
  }
  if (ctx.out.json) ctx.out.printJson(refs.length === 1 ? done[0] : { items: done });
  if (failures) throw new CliError(`${failures} of ${refs.length} failed`);
}

/** `rdv session …`: list, create, show, rename, close, suspend, resume, exec, scrollback, log, restore, move, attach. */
export function registerSession(program: Command): void {
  const session = program.command('session').alias('s').description('manage sessions (shells and agents, each a tmux session); addressed by name or id');
  examples(session, ['rdv session list', 'rdv session create api --agent claude --cwd ~/src/api', 'rdv session exec api -- npm test', 'rdv attach api']);

  const list = session
    .command('list')
    .alias('ls')
    .description('list sessions (open ones unless --all or --status)')
    .option('-a, --all', 'every session, closed ones too')
    .option('--status <status>', 'open, active, suspended, closed, trashed or all')
    .option('--folder <folder>', 'only sessions in this folder (name or id)')
    .option('--host <host>', 'all (this machine and every host), or one host\'s name or id')
    .action(async (opts: { all?: boolean; status?: string; folder?: string; host?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const { status } = parseArgs(ListArgsSchema, { status: opts.status ?? (opts.all ? 'all' : 'open') }, undefined, { status: '--status' });
      if (opts.folder && opts.host) throw new UsageError('--folder names a folder of this machine; leave it out with --host');
      const folderId = opts.folder ? (await ctx.folder(opts.folder)).id : undefined;
      const result = await ctx.api().GET('/api/sessions', { params: { query: { status, folderId, ...onHost(opts.host) } } });
      if (ctx.out.json) return ctx.out.printJson(result);
      const folders = result.items.some((s) => s.folderId && !s.host) ? (await ctx.api().GET('/api/folders')).items : [];
      printSessions(ctx.out, result.items, folders, status === 'open' ? 'no open sessions; start one with `rdv session create <name>`' : 'no sessions');
    });
  examples(list, ['rdv session list', 'rdv session list --all', 'rdv session list --host all', 'rdv session list --json | jq -r \'.items[].name\'']);

  const createCmd = session
    .command('create')
    .alias('new')
    .description('start a session: a shell, or a coding agent with --agent')
    .argument('<name>', 'a display name, unique among open sessions')
    .option('--agent <agent>', 'claude, codex, gemini, opencode or custom (with --command)')
    .option('--command <command>', 'the command line for a custom agent')
    .option('--cwd <dir>', 'working directory (default: the folder\'s, else your default)')
    .option('--folder <folder>', 'put it in this folder (name or id)')
    .option('--env <KEY=VALUE>', 'environment variable (repeatable)', collect)
    .option('--repo <path>', 'create a git worktree of this repository for the session (with --branch)')
    .option('--repository <id>', 'or of this repository cloned with `rdv repo add` (fetched first)')
    .option('--branch <branch>', 'the worktree branch')
    .option('--base <ref>', 'the base for a new branch (default: the repository\'s default branch)')
    .option('--identity <id>', 'work as this git identity (default: the folder\'s, the repository\'s or yours)')
    .option('--attach', 'attach right away')
    .option(...HOST_OPTION)
    .action(async (name: string, opts: CreateOpts, cmd: Command) => create(contextFor(cmd), name, opts));
  examples(createCmd, ['rdv session create scratch', 'rdv session create api --agent claude --cwd . --folder work', 'rdv session create fix-42 --agent codex --repo ~/src/app --branch fix-42 --attach', 'rdv session create build --host box2']);

  const show = session
    .command('show')
    .alias('get')
    .description('show one session')
    .argument('<session>', 'name or id (an id prefix works too)')
    .option(...HOST_OPTION)
    .action(async (ref: string, o: { host?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const s = await ctx.session(ref, o.host);
      if (ctx.out.json) return ctx.out.printJson(s);
      printSession(ctx.out, s, s.folderId && !s.host ? (await ctx.api().GET('/api/folders')).items : []);
    });
  examples(show, ['rdv session show api', 'rdv session show 3f2a91c0 --json']);

  session
    .command('rename')
    .description('rename a session')
    .argument('<session>', 'name or id')
    .argument('<new-name>', 'the new name')
    .action(async (ref: string, newName: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const name = parseArgs(NameSchema, newName, 'new name');
      const s = await ctx.session(ref);
      const renamed = await ctx.api().PATCH('/api/sessions/{id}', { params: { path: { id: s.id } }, body: { name } });
      if (ctx.out.json) ctx.out.printJson(renamed);
      else ctx.out.line(`renamed ${s.name} to ${renamed.name}`);
    });

  const verbs: [string, string, string, (ctx: CliContext, s: Session) => Promise<Session>][] = [
    ['close', 'close sessions: ends their tmux sessions (idempotent)', 'closed', (c, s) => c.api().DELETE('/api/sessions/{id}', { params: { path: { id: s.id } } })],
    ['suspend', 'suspend sessions (their tmux sessions keep running)', 'suspended', (c, s) => c.api().POST('/api/sessions/{id}/suspend', { params: { path: { id: s.id } } })],
    ['resume', 'resume suspended sessions', 'resumed', (c, s) => c.api().POST('/api/sessions/{id}/resume', { params: { path: { id: s.id } } })],
  ];
  for (const [verb, description, past, fn] of verbs) {
    session
      .command(verb)
      .description(description)
      .argument('<sessions...>', 'names or ids')
      .action(async (refs: string[], _o: unknown, cmd: Command) => {
        const ctx = contextFor(cmd);
        await eachSession(ctx, refs, (s) => fn(ctx, s), past);
      });
  }

  const exec = session
    .command('exec')
    .description('type a command line into a session, then Enter')
    .argument('<session>', 'name or id')
    .argument('<command...>', 'the command line (put it after -- when it has options)')
    .option(...HOST_OPTION)
    .action(async (ref: string, words: string[], o: { host?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const command = parseArgs(CommandLineSchema, words.join(' '), 'command');
      const s = await ctx.session(ref, o.host);
      const result = await ctx.api().POST('/api/sessions/{id}/exec', { params: { path: { id: s.id }, query: onHost(o.host) }, body: { command } });
      if (ctx.out.json) ctx.out.printJson(result);
      else ctx.out.note(`sent to ${s.name}`);
    });
  examples(exec, ['rdv session exec api -- npm test -- --watch=false', 'rdv session exec api "git status"', 'rdv session exec build --host box2 -- make']);

  const scrollback = session
    .command('scrollback')
    .alias('output')
    .description('print the last lines of a session (screen and history) as text')
    .argument('<session>', 'name or id')
    .option('-n, --lines <count>', 'how many lines', '200')
    .option(...HOST_OPTION)
    .action(async (ref: string, opts: { lines: string; host?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const lines = parseArgs(countArg(100_000), opts.lines, '--lines');
      const s = await ctx.session(ref, opts.host);
      const result = await ctx.api().GET('/api/sessions/{id}/scrollback', { params: { path: { id: s.id }, query: { lines, ...onHost(opts.host) } } });
      if (ctx.out.json) return ctx.out.printJson(result);
      process.stdout.write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
    });
  examples(scrollback, ['rdv session scrollback api -n 50', 'rdv session scrollback api --json | jq -r .text']);

  session
    .command('move')
    .description('move a session into a folder ("none" for the top level)')
    .argument('<session>', 'name or id')
    .argument('<folder>', 'folder name or id, or none')
    .action(async (ref: string, folderRef: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const s = await ctx.session(ref);
      const folder = isNoFolder(folderRef) ? null : await ctx.folder(folderRef);
      const moved = await ctx.api().PUT('/api/sessions/{id}/folder', { params: { path: { id: s.id } }, body: { folderId: folder?.id ?? null } });
      if (ctx.out.json) ctx.out.printJson(moved);
      else ctx.out.line(`moved ${s.name} to ${folder ? folder.name : 'the top level'}`);
    });

  registerSessionContinuity(session);

  session
    .command('attach')
    .description('same as `rdv attach`')
    .argument('<session>', 'name or id')
    .option('--detach-key <key>', 'the detach key (default ctrl-])')
    .option(...HOST_OPTION)
    .action(async (ref: string, opts: { detachKey?: string; host?: string }, cmd: Command) => {
      process.exitCode = await runAttach(contextFor(cmd), ref, opts);
    });
}
