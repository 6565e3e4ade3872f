import { StringDecoder } from 'node:string_decoder';
import type { Command } from 'commander';
import { z } from 'zod';
import { examples, parseArgs } from '../args.js';
import { contextFor, type CliContext } from '../context.js';
import { cliCredentials } from '../credentials.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import type { TerminalEnd } from '../terminal-client.js';

/** `ctrl-]` (default), `ctrl-a` … `ctrl-z`, `ctrl-\`, `ctrl-^`, `ctrl-_` → the byte it sends. */
export const DetachKeySchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(ctrl|c)-[a-z\]\\^_]$/, 'must be ctrl-<letter>, ctrl-], ctrl-\\, ctrl-^ or ctrl-_ (e.g. ctrl-])')
  .refine((k) => !/[chijm]$/.test(k), 'ctrl-c, ctrl-h, ctrl-i, ctrl-j and ctrl-m are needed for typing; pick another key')
  .transform((k) => ({ name: `ctrl-${k.slice(-1)}`, byte: k.toUpperCase().charCodeAt(k.length - 1) & 0x1f }));

/**
 * What a full-screen program may have left switched on: attributes, hidden cursor, the
 * alternate screen, mouse reporting, bracketed paste, focus events, application keypad.
 */
export const TERMINAL_RESET =
  '\x1b[0m\x1b[?25h\x1b[?1049l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1005l\x1b[?1006l\x1b[?1015l\x1b[?2004l\x1b[?1004l\x1b[?1l\x1b>\x1b[0 q';

const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

interface Tty {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

/**
 * Bridges this terminal to the session until detach, exit, error, socket close or a
 * signal; the terminal is restored on every one of those paths (and on process exit).
 */
async function bridge(ctx: CliContext, tty: Tty, session: { id: string; name: string }, detach: { name: string; byte: number }, host?: string): Promise<number> {
  const config = ctx.config();
  const creds = cliCredentials(config);
  if (!creds) throw new CliError(`no CLI token: RDV_TOKEN is not set and ${config.paths.cliToken} does not exist`);
  const { stdin, stdout } = tty;
  // ws is only needed here; loading it lazily keeps every other command quick to start.
  const { connectTerminal } = await import('../terminal-client.js');
  const conn = await connectTerminal({
    socketPath: host ? config.paths.apiSocket : config.paths.terminalSocket,
    sessionId: session.id,
    host,
    token: creds.token,
    cols: stdout.columns || 80,
    rows: stdout.rows || 24,
    onOutput: (data) => {
      if (!stdout.write(data)) {
        conn.pause();
        stdout.once('drain', () => conn.resume());
      }
    },
    // The session goes on; say what was refused without leaving raw mode.
    onNotice: (message) => stdout.write(`\r\n[rdv: ${message}]\r\n`),
  });

  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      stdin.setRawMode(false);
    } catch {
      // The terminal is gone (SIGHUP): nothing left to restore.
    }
    stdin.pause();
    if (stdout.writable) stdout.write(TERMINAL_RESET);
  };
  process.on('exit', restore);

  const result = await new Promise<{ code: number; note: string }>((resolveBridge) => {
    let finished = false;
    const finish = (code: number, note: string) => {
      if (finished) return;
      finished = true;
      cleanup();
      conn.close();
      resolveBridge({ code, note });
    };
    const decoder = new StringDecoder('utf8');
    const onData = (chunk: Buffer) => {
      const at = chunk.indexOf(detach.byte);
      if (at >= 0) {
        if (at > 0) conn.input(decoder.write(chunk.subarray(0, at)));
        return finish(EXIT.ok, `[detached from ${session.name}; \`rdv attach ${session.name}\` to return]`);
      }
      conn.input(decoder.write(chunk));
    };
    const onResize = () => conn.resize(stdout.columns || 80, stdout.rows || 24);
    const onSignal = (signal: NodeJS.Signals) => finish(SIGNAL_EXIT[signal] ?? 1, `[rdv attach: ${signal}; detached from ${session.name}]`);
    const onError = (err: unknown) => finish(EXIT.failed, `rdv: ${(err as Error)?.message ?? String(err)}`);
    const cleanup = () => {
      stdin.off('data', onData);
      stdout.off('resize', onResize);
      for (const s of Object.keys(SIGNAL_EXIT) as NodeJS.Signals[]) process.off(s, onSignal);
      process.off('uncaughtException', onError);
      restore();
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
    stdout.on('resize', onResize);
    for (const s of Object.keys(SIGNAL_EXIT) as NodeJS.Signals[]) process.on(s, onSignal);
    process.on('uncaughtException', onError);
    void conn.ended.then((e: TerminalEnd) => {
      if (e.kind === 'exit') finish(EXIT.ok, `[session ${session.name} ended${e.code ? ` with exit code ${e.code}` : ''}]`);
      else if (e.kind === 'error') finish(EXIT.failed, `rdv: terminal error: ${e.message}`);
      else if (e.code === 1001) finish(EXIT.failed, 'rdv: the terminal service stopped; attach again once it is back (`rdv status`)');
      else finish(EXIT.failed, `rdv: connection to the terminal service closed${e.reason ? `: ${e.reason}` : ` (code ${e.code})`}`);
    });
  });
  process.off('exit', restore);
  stdout.write('\r\n');
  process.stderr.write(`${result.note}\n`);
  return result.code;
}

/** `rdv attach <session>`: an interactive terminal on the session through terminal.sock. */
export async function runAttach(ctx: CliContext, ref: string, opts: { detachKey?: string; host?: string }): Promise<number> {
  const detach = parseArgs(DetachKeySchema, opts.detachKey ?? 'ctrl-]', '--detach-key');
  const stdin = process.stdin;
  if (!stdin.isTTY || !process.stdout.isTTY) {
    throw new UsageError('rdv attach needs an interactive terminal; from scripts use `rdv session exec` and `rdv session scrollback`');
  }
  const session = await ctx.session(ref, opts.host);
  if (session.status === 'closed' || session.status === 'trashed') {
    throw new CliError(`session ${session.name} is ${session.status}; start a new one with \`rdv session create\``);
  }
  process.stderr.write(`[attached to ${session.name}; detach with ${detach.name}]\r\n`);
  return bridge(ctx, { stdin, stdout: process.stdout }, session, detach, opts.host && opts.host !== 'local' ? opts.host : undefined);
}

/** `rdv attach <session> [--detach-key]`. */
export function registerAttach(program: Command): void {
  const cmd = program
    .command('attach')
    .alias('a')
    .description('attach this terminal to a session (detach with Ctrl-])')
    .argument('<session>', 'name or id (an id prefix works too)')
    .option('--detach-key <key>', 'the key that detaches, e.g. ctrl-] (default), ctrl-q, ctrl-\\')
    .option('--host <host>', 'a session on another host (name or id, see `rdv host list`)')
    .addHelpText('after', '\nThe session keeps running after you detach; other clients (the browser, another attach) may be attached at the same time.')
    .action(async (ref: string, opts: { detachKey?: string; host?: string }, command: Command) => {
      process.exitCode = await runAttach(contextFor(command), ref, opts);
    });
  examples(cmd, ['rdv attach api', 'rdv attach api --detach-key ctrl-q', 'rdv attach build --host box2', 'rdv session create scratch --attach']);
}
