import type { Command } from 'commander';
import { z } from 'zod';
import { readOutputBytes, readOutputText, type OutputTextQuery } from '@rdv/client';
import type { OutputText, RestoreResult } from '@rdv/core/schemas';
import { countArg, examples, parseArgs } from '../args.js';
import { contextFor, type CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { shortId, truncate } from '../output.js';

const LogArgsSchema = z.object({
  lines: countArg(1_000_000),
  from: z.coerce.number({ message: 'must be a byte offset' }).int('must be a byte offset').min(0).optional(),
  all: z.boolean(),
  raw: z.boolean(),
  follow: z.boolean(),
});
type LogArgs = z.infer<typeof LogArgsSchema>;

/** How often `--follow` asks for new output. */
const FOLLOW_MS = 500;
/** Bytes per page when printing a whole log. */
const PAGE_BYTES = 1024 * 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves on Ctrl-C or SIGTERM (for --follow). */
function interrupted(): { readonly stopped: boolean; dispose(): void } {
  const state = { stopped: false };
  const stop = () => void (state.stopped = true);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    get stopped() {
      return state.stopped;
    },
    dispose() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

async function runLog(ctx: CliContext, ref: string, args: LogArgs): Promise<void> {
  const s = await ctx.session(ref);
  const api = ctx.api();
  const text = (query: OutputTextQuery) => readOutputText(api, s.id, query);
  const raw = async (from: number, limit?: number) => readOutputBytes(api, s.id, { from, limit });
  const print = (page: OutputText) => {
    if (ctx.out.json) process.stdout.write(`${JSON.stringify(page)}\n`);
    else process.stdout.write(page.text);
  };

  // Where printing starts: the last N lines, an offset (from a search hit), or the oldest byte kept.
  let from: number;
  if (args.from !== undefined || args.all) {
    from = args.from ?? 0;
  } else {
    const tail = await text({ tail: args.lines });
    from = tail.start;
    if (!args.raw) {
      print(tail);
      from = tail.end;
    }
  }
  // Page on to the end (--all, --from, or raw bytes from the tail's start).
  for (;;) {
    if (args.raw) {
      const bytes = await raw(from, PAGE_BYTES);
      process.stdout.write(bytes);
      from += bytes.length;
      if (bytes.length < PAGE_BYTES) break;
    } else if (args.from !== undefined || args.all) {
      const page = await text({ from, limit: PAGE_BYTES });
      print(page);
      from = page.end;
      if (!page.more) break;
    } else break;
  }
  if (!args.follow) {
    if (!ctx.out.json && !args.raw && process.stdout.isTTY) process.stdout.write('\n');
    return;
  }
  const signal = interrupted();
  try {
    while (!signal.stopped) {
      if (args.raw) {
        const bytes = await raw(from);
        process.stdout.write(bytes);
        from += bytes.length;
        if (bytes.length) continue;
      } else {
        const page = await text({ from });
        if (page.end > page.start) print(page);
        from = page.end;
        if (page.more) continue;
      }
      await sleep(FOLLOW_MS);
    }
  } finally {
    signal.dispose();
  }
}

function printRestore(ctx: CliContext, result: RestoreResult): void {
  if (ctx.out.json) return ctx.out.printJson(result);
  ctx.out.table(
    ['NAME', 'ID', 'KIND', 'COMES BACK AS', result.dryRun ? 'WOULD RESTORE' : 'RESTORED'],
    result.items.map((i) => [
      i.name,
      shortId(i.sessionId),
      i.kind === 'agent' ? (i.agent ?? 'agent') : 'shell',
      i.command ? truncate(i.command, 72) : 'a new shell',
      i.restored ? 'yes' : `no: ${i.reason ?? 'unknown'}`,
    ]),
    'no lost sessions: every open session is running',
  );
  if (result.dryRun && result.items.some((i) => i.restored)) ctx.out.note('run `rdv session restore` (without --dry-run) to bring them back');
  if (!result.dryRun && result.items.some((i) => !i.restored)) throw new CliError('some sessions did not come back (see above)');
}

/** `rdv session log` and `rdv session restore`. */
export function registerSessionContinuity(session: Command): void {
  const log = session
    .command('log')
    .description("print a session's output log (kept after it closes): its last lines, or all of it; -f follows it")
    .argument('<session>', 'name or id')
    .option('-n, --lines <count>', 'how many of the last lines', '200')
    .option('-a, --all', 'everything the log keeps, from its oldest byte', false)
    .option('--from <offset>', 'from this byte offset (as `rdv search` shows it)')
    .option('--raw', 'the bytes as written, escape sequences and all', false)
    .option('-f, --follow', 'keep printing new output until Ctrl-C', false)
    .action(async (ref: string, opts: { lines: string; all: boolean; from?: string; raw: boolean; follow: boolean }, cmd: Command) => {
      const args = parseArgs(LogArgsSchema, { ...opts }, undefined, { lines: '--lines', from: '--from' });
      await runLog(contextFor(cmd), ref, args);
    });
  examples(log, ['rdv session log api', 'rdv session log api -f', 'rdv session log api --all > api.txt', 'rdv session log api --raw -n 50 | less -R']);

  const restore = session
    .command('restore')
    .description('bring back lost sessions (after a reboot or a lost tmux server): agents resume their conversation, shells start again')
    .argument('[sessions...]', 'only these (names or ids); default every lost session')
    .option('--dry-run', 'say what would come back, change nothing', false)
    .action(async (refs: string[], opts: { dryRun: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const ids = refs.length ? await Promise.all(refs.map(async (r) => (await ctx.session(r)).id)) : undefined;
      const result = await ctx.api().POST('/api/sessions/restore', { body: { dryRun: opts.dryRun, ...(ids ? { ids } : {}) } });
      printRestore(ctx, result);
    });
  examples(restore, ['rdv session restore --dry-run', 'rdv session restore', 'rdv session restore api']);
}
