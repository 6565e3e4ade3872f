import type { Command } from 'commander';
import { z } from 'zod';
import type { SearchResult } from '@rdv/core/schemas';
import { countArg, examples, parseArgs } from '../args.js';
import { contextFor, type CliContext } from '../context.js';
import { relativeTime, shortId } from '../output.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `--since`: an ISO time, or an age like 30m, 2h, 3d, 1w. */
const SinceSchema = z.string().transform((v, ctx) => {
  const age = /^(\d{1,6})([mhdw])$/.exec(v.trim());
  const at = age ? new Date(Date.now() - Number(age[1]) * UNIT_MS[age[2] as keyof typeof UNIT_MS]) : new Date(v);
  if (Number.isNaN(at.getTime())) {
    ctx.addIssue({ code: 'custom', message: 'must be a time (2026-05-01T10:00:00Z) or an age like 30m, 2h, 3d' });
    return z.NEVER;
  }
  return at.toISOString();
});

const SearchArgsSchema = z.object({
  q: z.string().trim().min(1, 'type something to search for').max(500),
  since: SinceSchema.optional(),
  limit: countArg(100),
  matches: countArg(50),
});

interface SearchOpts {
  session?: string;
  folder?: string;
  since?: string;
  limit: string;
  matches: string;
}

/** A snippet with its matched words marked for a terminal (bold) or plain (as they are). */
function marked(snippet: string, highlights: [number, number][], tty: boolean): string {
  if (!tty) return snippet;
  let out = '';
  let at = 0;
  for (const [a, b] of highlights) {
    out += `${snippet.slice(at, a)}\u001b[1m${snippet.slice(a, b)}\u001b[22m`;
    at = b;
  }
  return out + snippet.slice(at);
}

function printHits(ctx: CliContext, result: SearchResult): void {
  if (ctx.out.json) return ctx.out.printJson(result);
  if (!result.items.length) return ctx.out.note(`nothing found for "${result.q}"`);
  const tty = Boolean(process.stdout.isTTY);
  for (const hit of result.items) {
    ctx.out.line(`${hit.name} (${shortId(hit.sessionId)}, ${hit.status})`);
    for (const m of hit.matches) ctx.out.line(`  ${String(m.offset).padStart(10)}  ${relativeTime(m.writtenAt).padEnd(8)}  ${marked(m.snippet, m.highlights, tty)}`);
  }
  ctx.out.note('open a place with `rdv session log <session> --from <offset>`');
}

/** `rdv search <words…>`: the output of every session, closed ones too. */
export function registerSearch(program: Command): void {
  const cmd = program
    .command('search')
    .description("search every session's output (closed ones too): sessions best first, with their matching lines and byte offsets")
    .argument('<words...>', 'words, "quoted phrases" or prefix*')
    .option('--session <session>', 'only this session (name or id)')
    .option('--folder <folder>', 'only sessions in this folder and its subfolders (name or id)')
    .option('--since <time>', 'only output written since (an ISO time, or an age: 30m, 2h, 3d)')
    .option('-n, --limit <count>', 'at most this many sessions', '20')
    .option('-m, --matches <count>', 'matching lines per session', '3')
    .action(async (words: string[], opts: SearchOpts, command: Command) => {
      const ctx = contextFor(command);
      const args = parseArgs(SearchArgsSchema, { q: words.join(' '), since: opts.since, limit: opts.limit, matches: opts.matches }, undefined, {
        since: '--since',
        limit: '--limit',
        matches: '--matches',
      });
      const sessionId = opts.session ? (await ctx.session(opts.session)).id : undefined;
      const folderId = opts.folder ? (await ctx.folder(opts.folder)).id : undefined;
      const result = await ctx.api().GET('/api/search', {
        params: { query: { q: args.q, sessionId, folderId, since: args.since, limit: args.limit, perSession: args.matches } },
      });
      printHits(ctx, result);
    });
  examples(cmd, ['rdv search "connection refused"', 'rdv search error --since 2h', 'rdv search TODO --folder work --json']);
}
