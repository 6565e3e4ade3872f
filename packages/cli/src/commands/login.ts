import type { Command } from 'commander';
import type { LoginSession } from '@rdv/core/schemas';
import { examples } from '../args.js';
import { contextFor } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { relativeTime, shortId, truncate } from '../output.js';

/** A sign-in by id or unique id prefix (at least 4 characters). */
function matchSession(items: LoginSession[], ref: string): LoginSession {
  const exact = items.find((s) => s.id === ref);
  if (exact) return exact;
  const prefixed = ref.length >= 4 ? items.filter((s) => s.id.startsWith(ref.toLowerCase())) : [];
  if (prefixed.length === 1) return prefixed[0]!;
  if (prefixed.length > 1) throw new CliError(`${ref} matches several sign-ins; give more of the id`);
  throw new CliError(`sign-in ${ref} not found; see \`rdv login sessions\``);
}

/** `rdv login sessions`: the browsers signed in with login links, and signing them out. */
export function registerLogin(program: Command): void {
  const login = program.command('login').description('browser sign-ins made with login links (see also `rdv login-link`)');
  const sessions = login
    .command('sessions')
    .description('list browser sign-ins (active first); `revoke` signs one out at once')
    .option('--all', 'also list ended ones')
    .action(async (o: { all?: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const { items } = await ctx.api().GET('/api/auth/sessions');
      const shown = o.all ? items : items.filter((s) => s.state === 'active');
      if (ctx.out.json) return ctx.out.printJson({ items: shown });
      ctx.out.table(
        ['ID', 'STATE', 'SIGNED IN', 'LAST SEEN', 'IDLE UNTIL', 'EXPIRES', 'BROWSER'],
        shown.map((s) => [
          shortId(s.id),
          s.state,
          relativeTime(s.createdAt),
          relativeTime(s.lastSeenAt),
          s.state === 'active' ? relativeTime(s.idleExpiresAt) : '-',
          relativeTime(s.expiresAt),
          truncate(s.userAgent ?? '-', 40),
        ]),
        o.all ? 'no sign-ins' : 'no browser is signed in (`--all` lists ended sign-ins)',
      );
    });
  examples(sessions, ['rdv login sessions', 'rdv login sessions revoke 3f2a', 'rdv login sessions revoke --all']);

  sessions
    .command('revoke')
    .description('sign browsers out now (idempotent): their terminals and event streams close')
    .argument('[ids...]', 'sign-in ids or id prefixes')
    .option('--all', 'every active sign-in')
    .action(async (refs: string[], o: { all?: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const { items } = await ctx.api().GET('/api/auth/sessions');
      if (!o.all && !refs.length) throw new CliError('give sign-in ids (see `rdv login sessions`) or --all', EXIT.usage);
      const targets = o.all ? items.filter((s) => s.state === 'active') : refs.map((r) => matchSession(items, r));
      const revoked: LoginSession[] = [];
      for (const s of targets) {
        revoked.push(await ctx.api().DELETE('/api/auth/sessions/{id}', { params: { path: { id: s.id } } }));
        if (!ctx.out.json) ctx.out.line(`signed out ${shortId(s.id)}`);
      }
      if (ctx.out.json) ctx.out.printJson({ items: revoked });
      else if (!revoked.length) ctx.out.note('no browser was signed in');
    });
}
