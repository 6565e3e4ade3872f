import type { Command } from 'commander';
import { examples } from '../args.js';
import { contextFor } from '../context.js';
import { relativeTime, truncate } from '../output.js';

/** `rdv notify …`: the notification centre from the terminal, and a test of the channels. */
export function registerNotify(program: Command): void {
  const notify = program.command('notify').description('notifications: what reached you (Web Push, webhook, the web UI) and a test of the channels');
  examples(notify, ['rdv notify test', 'rdv notify list --unread', 'rdv notify read']);

  notify
    .command('test')
    .description('send a test notification to your subscribed devices and the webhook now')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const r = await ctx.api().POST('/api/notifications/test');
      if (ctx.out.json) return ctx.out.printJson(r);
      const webhook = r.webhook === null ? 'not set ([notifications] webhook_url)' : r.webhook ? 'delivered' : 'failed (see the api log)';
      ctx.out.pairs([
        ['devices', `${r.push.sent} reached${r.push.failed ? `, ${r.push.failed} failed` : ''}${r.push.removed ? `, ${r.push.removed} gone (removed)` : ''}`],
        ['webhook', webhook],
      ]);
      if (r.push.sent + r.push.failed + r.push.removed === 0) ctx.out.note('no device is subscribed: open rdv in a browser and turn notifications on from the bell');
    });

  notify
    .command('list')
    .alias('ls')
    .description('the notification centre, newest first')
    .option('--unread', 'only unread ones')
    .option('-n, --limit <n>', 'how many', '20')
    .action(async (o: { unread?: boolean; limit: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const limit = Math.min(Math.max(Number.parseInt(o.limit, 10) || 20, 1), 500);
      const r = await ctx.api().GET('/api/notifications', { params: { query: { limit, ...(o.unread ? { unread: 'true' as const } : {}) } } });
      if (ctx.out.json) return ctx.out.printJson(r);
      ctx.out.table(
        ['', 'WHEN', 'TYPE', 'SESSION', 'WHAT'],
        r.items.map((n) => [n.read ? ' ' : '•', relativeTime(n.createdAt), n.type, n.sessionName ?? '-', truncate(`${n.title}: ${n.body}`, 80)]),
        o.unread ? 'nothing unread' : 'no notifications yet',
      );
      if (r.unread) ctx.out.note(`${r.unread} unread; \`rdv notify read\` marks them read`);
    });

  notify
    .command('read')
    .description('mark every notification read')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const r = await ctx.api().POST('/api/notifications/read', { body: { all: true } });
      if (ctx.out.json) return ctx.out.printJson(r);
      ctx.out.line(`marked ${r.updated} read`);
    });
}
