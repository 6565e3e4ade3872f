import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { z } from 'zod';
import { CreateHostSchema, type Host } from '@rdv/core/schemas';
import { PathArgSchema, examples, parseArgs } from '../args.js';
import { contextFor } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { relativeTime, shortId } from '../output.js';

interface AddOpts {
  port?: string;
  identityFile?: string;
  knownHostsFile?: string;
  remoteHome?: string;
  tokenStdin?: boolean;
}

/** The host's token: from stdin (--token-stdin), else asked for on the terminal without echo. */
async function readToken(fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) text += chunk.toString('utf8');
    return text.trim();
  }
  process.stderr.write('CLI token of the host\'s owner (on the host: rdv token create <name>): ');
  const rl = createInterface({ input: process.stdin, terminal: true });
  // Nothing typed is echoed: the token never shows on screen or in scrollback.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
  const token = await new Promise<string>((resolve) => rl.once('line', resolve));
  rl.close();
  process.stderr.write('\n');
  return token.trim();
}

const stateOf = (h: Host) => (h.state === 'connected' && h.versionMatches === false ? 'connected (other version)' : h.state);

function printHost(out: { line(s: string): void }, h: Host): void {
  const rows: [string, string][] = [
    ['name', h.name],
    ['id', h.id],
    ['destination', `${h.destination}${h.port ? ` port ${h.port}` : ''}`],
    ['state', stateOf(h)],
    ['latency', h.latencyMs === null ? '-' : `${h.latencyMs} ms`],
    ['rdv version', h.version ?? '-'],
    ['last connected', relativeTime(h.lastConnectedAt)],
  ];
  if (h.lastError) rows.push(['last error', h.lastError]);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) out.line(`${k.padEnd(width)}  ${v}`);
}

/** `rdv host …`: other machines running rdv, joined over OpenSSH. */
export function registerHost(program: Command): void {
  const host = program.command('host').description('other machines running rdv, joined over ssh: their sessions show up here too');
  examples(host, ['rdv host add box2 dev@box2.lan --token-stdin < box2-token', 'rdv host list', 'rdv session list --host all', 'rdv host test box2']);

  const add = host
    .command('add')
    .description('add a host: its ssh destination and a CLI token of its owner (stored encrypted, never shown again)')
    .argument('<name>', 'what to call it here')
    .argument('<destination>', 'ssh destination: host, user@host or ssh://user@host:port')
    .option('--port <port>', 'ssh port (default 22)')
    .option('--identity-file <path>', 'the ssh private key to log in with (default: ssh\'s own)')
    .option('--known-hosts-file <path>', 'known_hosts to check the host key against (default RDV_HOME/known_hosts, first key accepted)')
    .option('--remote-home <dir>', 'the host\'s RDV_HOME (default ~/.remote-dev of the ssh user)')
    .option('--token-stdin', 'read the token from stdin instead of asking for it')
    .action(async (name: string, destination: string, o: AddOpts, cmd: Command) => {
      const ctx = contextFor(cmd);
      const port = o.port === undefined ? undefined : parseArgs(z.coerce.number().int().min(1).max(65535), o.port, '--port');
      const path = (v: string | undefined, flag: string) => (v === undefined ? undefined : parseArgs(PathArgSchema, v, flag));
      const token = await readToken(Boolean(o.tokenStdin));
      if (!token) throw new UsageError('no token given: pipe it in with --token-stdin, or type it when asked');
      const body = parseArgs(
        CreateHostSchema,
        {
          name,
          destination,
          token,
          ...(port ? { port } : {}),
          ...(o.identityFile ? { identityFile: path(o.identityFile, '--identity-file') } : {}),
          ...(o.knownHostsFile ? { knownHostsFile: path(o.knownHostsFile, '--known-hosts-file') } : {}),
          ...(o.remoteHome ? { remoteHome: path(o.remoteHome, '--remote-home') } : {}),
        },
        undefined,
        { name: '<name>', destination: '<destination>', token: 'token' },
      );
      const created = await ctx.api().POST('/api/hosts', { body });
      // The link comes up in the background; one probe says whether it works yet.
      const tested = await ctx.api().POST('/api/hosts/{id}/test', { params: { path: { id: created.id } } });
      if (ctx.out.json) return ctx.out.printJson(tested);
      ctx.out.line(`added host ${tested.name} (${shortId(tested.id)}): ${stateOf(tested)}`);
      if (tested.lastError) ctx.out.note(`rdv: ${tested.lastError}`);
    });
  examples(add, [
    'rdv host add box2 dev@box2.lan --token-stdin < box2-token',
    'ssh dev@box2.lan rdv token create primary | rdv host add box2 dev@box2.lan --token-stdin',
    'rdv host add gpu ssh://ada@10.0.0.7:2222 --identity-file ~/.ssh/id_ed25519',
  ]);

  const list = host
    .command('list')
    .alias('ls')
    .description('list hosts with their state, latency, rdv version and last error')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const result = await ctx.api().GET('/api/hosts');
      if (ctx.out.json) return ctx.out.printJson(result);
      ctx.out.table(
        ['NAME', 'ID', 'DESTINATION', 'STATE', 'LATENCY', 'VERSION', 'LAST ERROR'],
        result.items.map((h) => [h.name, shortId(h.id), h.destination, stateOf(h), h.latencyMs === null ? '-' : `${h.latencyMs} ms`, h.version ?? '-', h.lastError ?? '']),
        'no hosts; add one with `rdv host add <name> <user@host>`',
      );
    });
  examples(list, ['rdv host list', "rdv host list --json | jq -r '.items[] | select(.state != \"connected\") | .name'"]);

  const test = host
    .command('test')
    .description('reconnect now if the link is down, probe the host and show its state (exit 1 unless connected)')
    .argument('<host>', 'name or id')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const h = await ctx.api().POST('/api/hosts/{id}/test', { params: { path: { id: ref } } });
      if (ctx.out.json) ctx.out.printJson(h);
      else printHost(ctx.out, h);
      if (h.state !== 'connected') throw new CliError(`host ${h.name} is ${h.state}`);
    });
  examples(test, ['rdv host test box2', 'rdv host test box2 --json']);

  const remove = host
    .command('remove')
    .alias('rm')
    .description('remove a host: ends its link and forgets its token (its sessions keep running there)')
    .argument('<host>', 'name or id')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const h = await ctx.api().DELETE('/api/hosts/{id}', { params: { path: { id: ref } } });
      if (ctx.out.json) ctx.out.printJson(h);
      else ctx.out.line(`removed host ${h.name}`);
    });
  examples(remove, ['rdv host remove box2']);
}
