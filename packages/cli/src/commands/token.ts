import type { Command } from 'commander';
import { z } from 'zod';
import { CreateTokenSchema, type Token } from '@rdv/core/schemas';
import { examples, parseArgs } from '../args.js';
import { contextFor } from '../context.js';
import { CliError } from '../errors.js';
import { relativeTime, shortId } from '../output.js';

const CreateArgsSchema = CreateTokenSchema.extend({
  expiresInDays: z.coerce.number({ message: 'must be a number of days' }).int().min(1).max(3650).optional(),
});

const state = (t: Token) => {
  if (t.revokedAt) return 'revoked';
  if (t.expiresAt && Date.parse(t.expiresAt) <= Date.now()) return 'expired';
  return 'valid';
};

/** Finds a token by id, id prefix or name (a name is only accepted when unique among valid tokens). */
function matchToken(items: Token[], ref: string): Token {
  const byId = items.find((t) => t.id === ref) ?? items.filter((t) => t.id.startsWith(ref));
  if (!Array.isArray(byId)) return byId;
  if (byId.length === 1 && ref.length >= 4) return byId[0]!;
  const named = items.filter((t) => t.name === ref && state(t) === 'valid');
  if (named.length === 1) return named[0]!;
  if (named.length > 1) throw new CliError(`several valid tokens are named ${ref}; use the id from \`rdv token list\``);
  throw new CliError(`token ${ref} not found; see \`rdv token list\``);
}

/** `rdv token …`: create (the secret is shown once), list, revoke. */
export function registerToken(program: Command): void {
  const token = program.command('token').description('manage CLI tokens and API keys (for `rdv mcp` and scripts)');
  examples(token, ['rdv token create laptop', 'rdv token create claude-desktop --api-key', 'rdv token list', 'rdv token revoke claude-desktop']);

  const create = token
    .command('create')
    .description('create a CLI token, or an API key for an MCP client; the secret is printed once')
    .argument('<name>', 'what it is for, e.g. the machine or the client')
    .option('--api-key', 'an API key (for `rdv mcp`) instead of a CLI token')
    .option('--expires-in-days <days>', 'expire after this many days')
    .action(async (name: string, o: { apiKey?: boolean; expiresInDays?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const body = parseArgs(
        CreateArgsSchema,
        { name, kind: o.apiKey ? 'api_key' : 'cli', ...(o.expiresInDays !== undefined ? { expiresInDays: o.expiresInDays } : {}) },
        undefined,
        { expiresInDays: '--expires-in-days', name: '<name>' },
      );
      const created = await ctx.api().POST('/api/tokens', { body });
      if (ctx.out.json) return ctx.out.printJson(created);
      ctx.out.line(created.token);
      const use = created.kind === 'api_key' ? 'set it as RDV_API_KEY for `rdv mcp`' : 'set it as RDV_TOKEN';
      ctx.out.note(`created ${created.kind === 'api_key' ? 'API key' : 'CLI token'} ${created.name} (${shortId(created.id)}); ${use}. It is shown only this once.`);
    });
  examples(create, ['rdv token create ci --expires-in-days 30', 'RDV_API_KEY=$(rdv token create cursor --api-key)']);

  token
    .command('list')
    .alias('ls')
    .description('list tokens and API keys (never their secrets)')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const result = await ctx.api().GET('/api/tokens');
      if (ctx.out.json) return ctx.out.printJson(result);
      ctx.out.table(
        ['NAME', 'ID', 'KIND', 'PREFIX', 'STATE', 'CREATED', 'LAST USED', 'EXPIRES'],
        result.items.map((t) => [
          t.name,
          shortId(t.id),
          t.kind === 'api_key' ? 'api key' : 'cli',
          t.prefix,
          state(t),
          relativeTime(t.createdAt),
          relativeTime(t.lastUsedAt),
          t.expiresAt ? relativeTime(t.expiresAt) : 'never',
        ]),
        'no tokens',
      );
    });

  token
    .command('revoke')
    .description('revoke tokens (idempotent); clients using them are refused from then on')
    .argument('<tokens...>', 'ids, id prefixes or names')
    .action(async (refs: string[], _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const { items } = await ctx.api().GET('/api/tokens');
      const revoked: Token[] = [];
      for (const ref of refs) {
        const t = matchToken(items, ref);
        revoked.push(await ctx.api().DELETE('/api/tokens/{id}', { params: { path: { id: t.id } } }));
        if (!ctx.out.json) ctx.out.line(`revoked ${t.name} (${shortId(t.id)})`);
      }
      if (ctx.out.json) ctx.out.printJson(refs.length === 1 ? revoked[0] : { items: revoked });
    });
}
