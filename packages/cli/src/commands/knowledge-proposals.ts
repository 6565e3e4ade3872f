import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AcceptProposalSchema, ListProposalsQuerySchema, type KnowledgeProposal } from '@rdv/core/schemas';
import { collect, examples, parseArgs } from '../args.js';
import { contextFor, type CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { relativeTime, shortId, truncate } from '../output.js';

/** One of the caller's proposals, by id or id prefix (any status). */
async function proposalOf(ctx: CliContext, ref: string): Promise<KnowledgeProposal> {
  const { items } = await ctx.api().GET('/api/knowledge/proposals', { params: { query: { status: 'all' } } });
  const found = items.filter((p) => p.id === ref || (ref.length >= 4 && p.id.startsWith(ref.toLowerCase())));
  if (found.length === 1) return found[0]!;
  if (found.length > 1) throw new CliError(`several proposals start with ${ref}; give more of the id`);
  throw new CliError(`proposal ${ref} not found; see \`rdv knowledge proposals\``);
}

/** `rdv knowledge proposals | accept | dismiss | extract`: learnings drawn from sessions' logs, kept only with a person's yes. */
export function registerProposals(k: Command): void {
  const list = k
    .command('proposals')
    .description("proposed entries drawn from sessions' logs, waiting for your yes (accept) or no (dismiss)")
    .option('--folder <folder>', 'only this folder (name or id)')
    .option('--status <status>', 'proposed (default), accepted, dismissed or all', 'proposed')
    .action(async (o: { folder?: string; status: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const status = parseArgs(ListProposalsQuerySchema.shape.status, o.status, '--status');
      const folder = o.folder ? await ctx.folder(o.folder) : null;
      const query = { status, ...(folder ? { folderId: folder.id } : {}) };
      const proposals = await ctx.api().GET('/api/knowledge/proposals', { params: { query } });
      if (ctx.out.json) return ctx.out.printJson(proposals);
      const folders = new Map((await ctx.api().GET('/api/folders')).items.map((f) => [f.id, f.name]));
      ctx.out.table(
        ['ID', 'TITLE', 'FOLDER', 'FROM', 'STATUS', 'PROPOSED'],
        proposals.items.map((p) => [shortId(p.id), truncate(p.title, 60), folders.get(p.folderId) ?? '?', p.sessionName ?? '-', p.status, relativeTime(p.createdAt)]),
        'nothing proposed; rdv proposes when an agent finishes a turn or a session closes (or run `rdv knowledge extract <session>`)',
      );
    });
  examples(list, ['rdv knowledge proposals', 'rdv knowledge proposals --folder api --json', 'rdv knowledge proposals --status dismissed']);

  const accept = k
    .command('accept')
    .description("accept a proposal into its folder's knowledge, written by you (optionally edited)")
    .argument('<proposal>', 'proposal id or id prefix')
    .option('--title <title>', 'a better title')
    .option('--body <markdown>', 'a better body ("-" reads stdin)')
    .option('--tag <tag>', 'a tag (repeatable)', collect)
    .action(async (ref: string, o: { title?: string; body?: string; tag?: string[] }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const edits: Record<string, unknown> = {};
      if (o.title !== undefined) edits.title = o.title;
      if (o.body !== undefined) edits.body = o.body === '-' ? readFileSync('/dev/stdin', 'utf8') : o.body;
      if (o.tag !== undefined) edits.tags = o.tag;
      const body = parseArgs(AcceptProposalSchema, edits, undefined, { title: '--title', body: '--body', tags: '--tag' });
      const p = await proposalOf(ctx, ref);
      const result = await ctx.api().POST('/api/folders/{id}/knowledge/proposals/{proposalId}/accept', { params: { path: { id: p.folderId, proposalId: p.id } }, body });
      if (ctx.out.json) ctx.out.printJson(result);
      else ctx.out.line(`accepted "${result.entry.title}" as knowledge entry ${shortId(result.entry.id)}`);
    });
  examples(accept, ['rdv knowledge accept 3f2a9c1e', 'rdv knowledge accept 3f2a --title "Rebuild native modules after a Node upgrade" --tag node']);

  const dismiss = k
    .command('dismiss')
    .description('dismiss a proposal: it stays out of knowledge and is not proposed again')
    .argument('<proposal>', 'proposal id or id prefix')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const p = await proposalOf(ctx, ref);
      const result = await ctx.api().POST('/api/folders/{id}/knowledge/proposals/{proposalId}/dismiss', { params: { path: { id: p.folderId, proposalId: p.id } } });
      if (ctx.out.json) ctx.out.printJson(result);
      else ctx.out.line(`dismissed "${result.title}"`);
    });
  examples(dismiss, ['rdv knowledge dismiss 3f2a9c1e']);

  const extract = k
    .command('extract')
    .description("read the end of a session's log now and propose what it teaches")
    .argument('<session>', 'name or id')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const s = await ctx.session(ref);
      const result = await ctx.api().POST('/api/sessions/{id}/proposals/extract', { params: { path: { id: s.id } } });
      if (ctx.out.json) return ctx.out.printJson(result);
      if (!result.proposed.length) return ctx.out.note(`nothing new to propose from ${s.name}${result.alreadyProposed ? ` (${result.alreadyProposed} proposed before)` : ''}`);
      for (const p of result.proposed) ctx.out.line(`${shortId(p.id)}  ${p.title}`);
    });
  examples(extract, ['rdv knowledge extract api-agent', 'rdv knowledge extract api-agent --json']);
}
