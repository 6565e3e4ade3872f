import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CreateIdentitySchema, type Identity } from '@rdv/core/schemas';
import type { RdvClient } from '@rdv/client';
import { examples, parseArgs } from '../args.js';
import { contextFor } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { relativeTime, shortId } from '../output.js';

/** An identity by id, id prefix (4+ characters) or name (when unique). */
export async function findIdentity(api: RdvClient, ref: string): Promise<Identity> {
  const { items } = await api.GET('/api/identities');
  const exact = items.find((i) => i.id === ref);
  if (exact) return exact;
  const prefixed = ref.length >= 4 ? items.filter((i) => i.id.startsWith(ref)) : [];
  if (prefixed.length === 1) return prefixed[0]!;
  const named = items.filter((i) => i.name === ref || i.email === ref);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) throw new CliError(`several identities are named ${ref}; use the id from \`rdv identity list\``);
  throw new CliError(`identity ${ref} not found; see \`rdv identity list\``);
}

/** The private key to import: a file, or "-" for stdin. Never echoed. */
function readKey(source: string): string {
  try {
    return readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (err) {
    throw new UsageError(`--key ${source}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** `rdv identity …`: git identities (author and SSH key) sessions and clones work as. */
export function registerIdentity(program: Command): void {
  const identity = program.command('identity').alias('id').description('manage git identities: an author name and email with an SSH key (private keys never leave rdv)');
  examples(identity, ['rdv identity add "Ada Lovelace" --email ada@example.com --generate --default', 'rdv identity list', 'rdv identity show ada@example.com']);

  const add = identity
    .command('add')
    .alias('create')
    .description('create an identity with a new Ed25519 key (--generate) or an imported one (--key <file>, or - for stdin)')
    .argument('<name>', 'the author name commits carry')
    .requiredOption('--email <email>', 'the author email commits carry')
    .option('--generate', 'make a new Ed25519 key')
    .option('--key <file>', 'import this private key (no passphrase; - reads stdin)')
    .option('--default', 'make it your default identity')
    .action(async (name: string, o: { email: string; generate?: boolean; key?: string; default?: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd);
      if (Boolean(o.generate) === Boolean(o.key)) throw new UsageError('give --generate or --key <file>');
      const body = parseArgs(
        CreateIdentitySchema,
        { name, email: o.email, ...(o.generate ? { generate: true } : { privateKey: readKey(o.key!) }), makeDefault: Boolean(o.default) },
        undefined,
        { name: '<name>', email: '--email', privateKey: '--key' },
      );
      const created = await ctx.api().POST('/api/identities', { body });
      if (ctx.out.json) return ctx.out.printJson(created);
      ctx.out.line(created.publicKey);
      ctx.out.note(`created identity ${created.name} <${created.email}> (${shortId(created.id)}), key ${created.fingerprint}; add the public key above to GitHub, GitLab or the server's authorized_keys`);
    });
  examples(add, [
    'rdv identity add "Ada Lovelace" --email ada@example.com --generate',
    'rdv identity add Work --email ada@work.example --key ~/.ssh/id_ed25519_work --default',
    'cat key | rdv identity add CI --email ci@example.com --key -',
  ]);

  identity
    .command('list')
    .alias('ls')
    .description('list your identities (public keys only)')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const result = await ctx.api().GET('/api/identities');
      if (ctx.out.json) return ctx.out.printJson(result);
      ctx.out.table(
        ['NAME', 'EMAIL', 'ID', 'KEY', 'DEFAULT', 'CREATED'],
        result.items.map((i) => [i.name, i.email, shortId(i.id), i.fingerprint, i.isDefault ? 'yes' : i.defaultForFolders.length ? `${i.defaultForFolders.length} folder(s)` : '', relativeTime(i.createdAt)]),
        'no identities; create one with `rdv identity add <name> --email <email> --generate`',
      );
    });

  const show = identity
    .command('show')
    .alias('get')
    .description('show an identity and its public key')
    .argument('<identity>', 'id, id prefix, name or email')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const found = await findIdentity(ctx.api(), ref);
      if (ctx.out.json) return ctx.out.printJson(found);
      ctx.out.line(`${found.name} <${found.email}>  ${found.id}`);
      ctx.out.line(`key ${found.fingerprint}${found.isDefault ? '  (your default)' : ''}`);
      ctx.out.line(found.publicKey);
    });
  examples(show, ['rdv identity show ada@example.com', 'rdv identity show 3f2a --json | jq -r .publicKey']);

  identity
    .command('remove')
    .alias('rm')
    .description('delete an identity and its key')
    .argument('<identity>', 'id, id prefix, name or email')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const found = await findIdentity(ctx.api(), ref);
      const result = await ctx.api().DELETE('/api/identities/{id}', { params: { path: { id: found.id } } });
      if (ctx.out.json) return ctx.out.printJson(result);
      ctx.out.line(`deleted identity ${found.name} <${found.email}>`);
    });

  const def = identity
    .command('default')
    .description("show or set your default identity, or a folder's (its subfolders inherit it)")
    .argument('[identity]', 'id, id prefix, name or email; none to show')
    .option('--folder <folder>', "the folder's default instead of yours")
    .option('--clear', 'clear it (a folder inherits again)')
    .action(async (ref: string | undefined, o: { folder?: string; clear?: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const folderId = o.folder ? (await ctx.folder(o.folder)).id : undefined;
      let result;
      if (ref || o.clear) {
        if (ref && o.clear) throw new UsageError('give an identity or --clear, not both');
        const identityId = ref ? (await findIdentity(ctx.api(), ref)).id : null;
        result = await ctx.api().PUT('/api/identities/default', { body: { identityId, ...(folderId ? { folderId } : {}) } });
      } else {
        result = await ctx.api().GET('/api/identities/default', { params: { query: folderId ? { folderId } : {} } });
      }
      if (ctx.out.json) return ctx.out.printJson(result);
      const where = result.source === 'user' ? 'your default' : result.source ? `from folder ${shortId(result.source)}` : '';
      ctx.out.line(result.identity ? `${result.identity.name} <${result.identity.email}> (${shortId(result.identity.id)}), ${where}` : 'no default identity');
    });
  examples(def, ['rdv identity default', 'rdv identity default ada@example.com', 'rdv identity default Work --folder clients', 'rdv identity default --folder clients --clear']);
}
