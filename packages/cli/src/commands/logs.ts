import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { countArg, examples, parseArgs } from '../args.js';
import { contextFor, type CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { formatLogLine } from '../supervisor.js';

const LOG_NAMES = ['api', 'terminal', 'web', 'supervisor'] as const;
const LogsArgsSchema = z.object({
  service: z.enum(LOG_NAMES, { message: `must be one of ${LOG_NAMES.join(', ')}` }).optional(),
  lines: countArg(100_000),
  follow: z.boolean(),
});

interface Line {
  at: number;
  text: string;
}

/** One log line for people: "12:03:04 [api] message fields"; null for debug noise. */
export function renderLogLine(service: string, raw: string): Line | null {
  let at = 0;
  if (raw.startsWith('{')) {
    try {
      at = Number((JSON.parse(raw) as { time?: number }).time) || 0;
    } catch {
      // Not JSON after all: shown as it is, without a time.
    }
  }
  // The supervisor's own log already holds formatted lines.
  const text = service === 'supervisor' ? raw : formatLogLine(service, raw);
  if (text === null || !text.trim()) return null;
  const time = at ? `${new Date(at).toTimeString().slice(0, 8)} ` : '';
  return { at, text: `${time}${text}` };
}

/** For --json: each record as one JSON line with its service added (NDJSON); other lines are skipped. */
export function jsonLogLine(service: string, raw: string): Line | null {
  if (!raw.startsWith('{')) return null;
  try {
    const rec = JSON.parse(raw) as Record<string, unknown>;
    return { at: Number(rec.time) || 0, text: JSON.stringify({ service, ...rec }) };
  } catch {
    // A torn or foreign line: not a record.
    return null;
  }
}

/** Reads bytes [from, size) of a file; returns complete lines and where the next read starts. */
function readNew(file: string, from: number): { lines: string[]; next: number } {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    // Not created yet (or removed): nothing new.
    return { lines: [], next: 0 };
  }
  if (size < from) from = 0; // Truncated or replaced: start over.
  if (size === from) return { lines: [], next: from };
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(size - from);
    readSync(fd, buf, 0, buf.length, from);
    const text = buf.toString('utf8');
    const end = text.lastIndexOf('\n');
    if (end < 0) return { lines: [], next: from };
    return { lines: text.slice(0, end).split('\n'), next: from + Buffer.byteLength(text.slice(0, end + 1)) };
  } finally {
    closeSync(fd);
  }
}

async function runLogs(ctx: CliContext, args: z.infer<typeof LogsArgsSchema>): Promise<void> {
  const config = ctx.config();
  const names = args.service ? [args.service] : (['api', 'terminal', 'web'] as const);
  const files = names.map((name) => ({ name, file: config.paths.logFile(name), offset: 0 }));
  const render = ctx.out.json ? jsonLogLine : renderLogLine;
  const present = files.filter((f) => existsSync(f.file));
  if (!present.length && !args.follow) {
    throw new CliError(`no logs yet in ${config.paths.serverDir} (rdv has not run with this RDV_HOME); start it with \`rdv up\``);
  }
  const first: Line[] = [];
  for (const f of files) {
    const { lines, next } = readNew(f.file, 0);
    f.offset = next;
    for (const raw of lines) {
      const line = render(f.name, raw);
      if (line) first.push(line);
    }
  }
  // Interleave the services by time; a stable sort keeps each file's own order.
  first.sort((a, b) => a.at - b.at);
  for (const l of first.slice(-args.lines)) ctx.out.line(l.text);
  if (!args.follow) return;
  await new Promise<void>((resolveFollow) => {
    const timer = setInterval(() => {
      for (const f of files) {
        const { lines, next } = readNew(f.file, f.offset);
        f.offset = next;
        for (const raw of lines) {
          const line = render(f.name, raw);
          if (line) ctx.out.line(line.text);
        }
      }
    }, 250);
    const stop = () => {
      clearInterval(timer);
      resolveFollow();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** `rdv logs [service] [-f] [-n N]`. */
export function registerLogs(program: Command): void {
  const cmd = program
    .command('logs')
    .description('show the service logs (api, terminal and web interleaved, or one of them; supervisor for `rdv up`)')
    .argument('[service]', `one of ${LOG_NAMES.join(', ')}`)
    .option('-f, --follow', 'keep printing new lines until Ctrl-C', false)
    .option('-n, --lines <count>', 'how many recent lines to show', '100')
    .action(async (service: string | undefined, opts: { follow: boolean; lines: string }, command: Command) => {
      const args = parseArgs(LogsArgsSchema, { service, lines: opts.lines, follow: opts.follow });
      await runLogs(contextFor(command), args);
    });
  examples(cmd, ['rdv logs', 'rdv logs api -n 20', 'rdv logs -f', 'rdv logs supervisor', 'rdv logs api --json | jq -c \'select(.level >= 40)\'']);
}
