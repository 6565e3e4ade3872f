import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CreateKnowledgeSchema, CreateSessionNoteSchema, UpdateKnowledgeSchema, type KnowledgeEntry } from '@rdv/core/schemas';
import { collect, examples, parseArgs } from '../args.js';
import { contextFor, type CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { relativeTime, shortId, truncate } from '../output.js';
import { registerProposals } from './knowledge-proposals.js';

interface EntryOpts {
  title?: string;
  body?: string;
  bodyFile?: string;
  tag?: string[];
}

/** The body as given: text, `-` for stdin, or a file. */
function bodyOf(o: EntryOpts): string | undefined {
  if (o.body !== undefined && o.bodyFile !== undefined) throw new CliError('give --body or --body-file, not both', 2);
  const path = o.bodyFile ?? (o.body === '-' ? '/dev/stdin' : undefined);
  if (path === undefined) return o.body;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`, 2);
  }
}

/** One of the folder chain's entries by id or id prefix. */
async function entryOf(ctx: CliContext, folderId: string, ref: string): Promise<KnowledgeEntry> {
  const { items } = await ctx.api().GET('/api/folders/{id}/knowledge', { params: { path: { id: folderId }, query: {} } });
  const found = items.filter((e) => e.id === ref || (ref.length >= 4 && e.id.startsWith(ref.toLowerCase())));
  if (found.length === 1) return found[0]!;
  if (found.length > 1) throw new CliError(`several entries start with ${ref}; give more of the id`);
  throw new CliError(`knowledge entry ${ref} not found in this folder; see \`rdv knowledge list <folder>\``);
}

const author = (e: KnowledgeEntry) => (e.author.kind === 'session' ? `session ${e.author.name}` : e.author.name);

/** `rdv knowledge …`: list, add, edit, rm, search, the document an agent starts with, and notes on sessions. */
export function registerKnowledge(program: Command): void {
  const k = program.command('knowledge').alias('k').description("a folder's knowledge: notes for people and agents, seen by its subfolders too");
  examples(k, ['rdv knowledge add work --title "Run tests" --body "nice -n 10 npm test"', 'rdv knowledge search api migration order', 'rdv knowledge proposals']);

  k.command('list')
    .alias('ls')
    .description("the folder's entries and its ancestors' (root first)")
    .argument('<folder>', 'name or id')
    .option('--own', "only the folder's own entries")
    .option('--tag <tag>', 'only entries with this tag')
    .action(async (ref: string, o: { own?: boolean; tag?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const folder = await ctx.folder(ref);
      const query = { ...(o.own ? { own: 'true' as const } : {}), ...(o.tag ? { tag: o.tag } : {}) };
      const list = await ctx.api().GET('/api/folders/{id}/knowledge', { params: { path: { id: folder.id }, query } });
      if (ctx.out.json) return ctx.out.printJson(list);
      ctx.out.table(
        ['ID', 'TITLE', 'FOLDER', 'TAGS', 'AUTHOR', 'UPDATED'],
        list.items.map((e) => [shortId(e.id), truncate(e.title, 50), e.folderName, e.tags.join(',') || '-', author(e), relativeTime(e.updatedAt)]),
        `no knowledge in ${folder.name} yet; add some with \`rdv knowledge add ${folder.name} --title …\``,
      );
    });

  const add = k
    .command('add')
    .description('add an entry to a folder')
    .argument('<folder>', 'name or id')
    .requiredOption('--title <title>', 'one line')
    .option('--body <markdown>', 'the entry, markdown ("-" reads stdin)')
    .option('--body-file <file>', 'read the body from a file')
    .option('--tag <tag>', 'a tag (repeatable)', collect)
    .action(async (ref: string, o: EntryOpts, cmd: Command) => {
      const ctx = contextFor(cmd);
      const body = parseArgs(CreateKnowledgeSchema, { title: o.title, body: bodyOf(o) ?? '', tags: o.tag ?? [] }, undefined, { title: '--title', body: '--body', tags: '--tag' });
      const folder = await ctx.folder(ref);
      const created = await ctx.api().POST('/api/folders/{id}/knowledge', { params: { path: { id: folder.id } }, body });
      if (ctx.out.json) ctx.out.printJson(created);
      else ctx.out.line(`added "${created.title}" (${shortId(created.id)}) to ${folder.name}`);
    });
  examples(add, ['rdv knowledge add work --title "Deploys" --body-file notes/deploy.md --tag ops', 'git log -1 --format=%B | rdv knowledge add api --title "Why" --body -']);

  k.command('edit')
    .description("change one of the folder's own entries")
    .argument('<folder>', 'name or id')
    .argument('<entry>', 'entry id or id prefix')
    .option('--title <title>', 'new title')
    .option('--body <markdown>', 'new body ("-" reads stdin)')
    .option('--body-file <file>', 'read the new body from a file')
    .option('--tag <tag>', 'replace the tags (repeatable)', collect)
    .action(async (ref: string, entryRef: string, o: EntryOpts, cmd: Command) => {
      const ctx = contextFor(cmd);
      const change: Record<string, unknown> = {};
      if (o.title !== undefined) change.title = o.title;
      const text = bodyOf(o);
      if (text !== undefined) change.body = text;
      if (o.tag !== undefined) change.tags = o.tag;
      const body = parseArgs(UpdateKnowledgeSchema, change, undefined, { title: '--title', body: '--body', tags: '--tag' });
      const folder = await ctx.folder(ref);
      const entry = await entryOf(ctx, folder.id, entryRef);
      const updated = await ctx.api().PATCH('/api/folders/{id}/knowledge/{entryId}', { params: { path: { id: folder.id, entryId: entry.id } }, body });
      if (ctx.out.json) ctx.out.printJson(updated);
      else ctx.out.line(`updated "${updated.title}"`);
    });

  k.command('rm')
    .alias('delete')
    .description("delete one of the folder's own entries")
    .argument('<folder>', 'name or id')
    .argument('<entry>', 'entry id or id prefix')
    .action(async (ref: string, entryRef: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const folder = await ctx.folder(ref);
      const entry = await entryOf(ctx, folder.id, entryRef);
      const result = await ctx.api().DELETE('/api/folders/{id}/knowledge/{entryId}', { params: { path: { id: folder.id, entryId: entry.id } } });
      if (ctx.out.json) ctx.out.printJson(result);
      else ctx.out.line(`deleted "${entry.title}"`);
    });

  k.command('search')
    .description("search the folder's knowledge and its ancestors' (best match first)")
    .argument('<folder>', 'name or id')
    .argument('<words...>', 'words or "a phrase"')
    .option('-n, --limit <n>', 'at most this many results', '20')
    .action(async (ref: string, words: string[], o: { limit: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const folder = await ctx.folder(ref);
      const hits = await ctx.api().GET('/api/folders/{id}/knowledge/search', {
        params: { path: { id: folder.id }, query: { q: words.join(' '), limit: Number(o.limit) } },
      });
      if (ctx.out.json) return ctx.out.printJson(hits);
      if (!hits.items.length) return ctx.out.note('no matches');
      for (const h of hits.items) {
        ctx.out.line(`${shortId(h.entry.id)}  ${h.entry.title}  (${h.entry.folderName})`);
        ctx.out.line(`    ${h.snippet.replace(/\s+/g, ' ')}`);
      }
    });

  k.command('note')
    .description('capture a note on a session (what was tried, found, left to do)')
    .argument('<session>', 'name or id')
    .argument('[text...]', 'the note; or --body')
    .option('--body <markdown>', 'the note ("-" reads stdin)')
    .action(async (ref: string, words: string[], o: EntryOpts, cmd: Command) => {
      const ctx = contextFor(cmd);
      const text = words.length ? words.join(' ') : bodyOf(o);
      const body = parseArgs(CreateSessionNoteSchema, { body: text ?? '' }, undefined, { body: '--body' });
      const s = await ctx.session(ref);
      const note = await ctx.api().POST('/api/sessions/{id}/notes', { params: { path: { id: s.id } }, body });
      if (ctx.out.json) ctx.out.printJson(note);
      else ctx.out.line(`noted on ${s.name}`);
    });

  k.command('notes')
    .description("a session's notes, newest first")
    .argument('<session>', 'name or id')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const s = await ctx.session(ref);
      const notes = await ctx.api().GET('/api/sessions/{id}/notes', { params: { path: { id: s.id } } });
      if (ctx.out.json) return ctx.out.printJson(notes);
      if (!notes.items.length) return ctx.out.note(`no notes on ${s.name}`);
      for (const n of notes.items) ctx.out.line(`${relativeTime(n.createdAt)}\n${n.body.trimEnd()}\n`);
    });

  k.command('doc')
    .description('the markdown document an agent in this folder starts with')
    .argument('<folder>', 'name or id')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const folder = await ctx.folder(ref);
      const doc = await ctx.api().GET('/api/folders/{id}/knowledge/document', { params: { path: { id: folder.id }, query: {} } });
      if (ctx.out.json) ctx.out.printJson(doc);
      else ctx.out.line(doc.markdown);
    });

  registerProposals(k);
}
