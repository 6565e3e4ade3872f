import type { Command } from 'commander';
import { z } from 'zod';
import { CONTROL_CHARS, type Orchestrator } from '@rdv/core/schemas';
import { isMasterOrchestrator, type RdvClient } from '@rdv/client';
import { BoolArgSchema, collect, countArg, examples, parseArgs } from '../args.js';
import { contextFor, type CliContext } from '../context.js';
import { lookupOrchestrator } from '../lookup.js';
import { duration, relativeTime, shortId, truncate } from '../output.js';
import { printLoose, type Loose } from '../views.js';

const monitoringStatus = (api: RdvClient, id: string) => api.GET('/api/orchestrators/{id}/monitoring/status', { params: { path: { id } } });

const InjectArgsSchema = z
  .object({
    text: z
      .string()
      .max(4096)
      .refine((t) => !CONTROL_CHARS.test(t), 'must be one line without control characters; use --key for those')
      .optional(),
    keys: z.array(z.string().regex(/^[A-Za-z0-9\-[\]\\_]{1,32}$/, 'must be a key name like C-c, Enter, Escape, Up or y')).optional(),
    enter: z.boolean().optional(),
    reason: z.string().max(500).optional(),
  })
  .refine((v) => v.text || v.keys?.length, 'give text to type and/or --key');

const SettingsSchema = z
  .object({
    intervalSeconds: countArg(86_400).optional(),
    stallThresholdSeconds: countArg(864_000).optional(),
    autoIntervention: BoolArgSchema.optional(),
    nudgeText: z.string().optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), 'nothing to change: give --interval, --stall-after, --auto-nudge or --nudge-text');
const SETTING_FLAGS = { intervalSeconds: '--interval', stallThresholdSeconds: '--stall-after', autoIntervention: '--auto-nudge', nudgeText: '--nudge-text' };

const REF = '[orchestrator]';
const REF_HELP = 'id, name, "master" or a folder name (default: Master Control)';

function printOrchestrators(ctx: CliContext, items: Orchestrator[]): void {
  ctx.out.table(
    ['NAME', 'ID', 'KIND', 'MONITORING', 'INTERVAL', 'STALL AFTER', 'AUTO-NUDGE'],
    items.map((o) => [
      String(o.name ?? (isMasterOrchestrator(o) ? 'Master Control' : '-')),
      shortId(String(o.id)),
      String(o.kind ?? '-'),
      o.monitoring ? 'on' : 'off',
      typeof o.intervalSeconds === 'number' ? duration(o.intervalSeconds) : '-',
      typeof o.stallThresholdSeconds === 'number' ? duration(o.stallThresholdSeconds) : '-',
      o.autoIntervention ? 'on' : 'off',
    ]),
    'no orchestrators yet; `rdv orchestrator monitoring start` creates Master Control and starts it',
  );
}

function printMonitoring(ctx: CliContext, status: Loose): void {
  const counts = (status.counts ?? {}) as Record<string, number>;
  ctx.out.pairs([
    ['monitoring', status.monitoring ? 'on' : 'off'],
    ['method', String(status.method ?? '-')],
    ['last scan', relativeTime(status.lastScanAt as string | null)],
    ['sessions', Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ') || '-'],
  ]);
  const sessions = Array.isArray(status.sessions) ? (status.sessions as Loose[]) : [];
  if (!sessions.length) return;
  ctx.out.line();
  ctx.out.table(
    ['SESSION', 'STATE', 'REASON', 'QUIET', 'SINCE'],
    sessions.map((s) => [String(s.name), String(s.state), String(s.reason ?? '-'), duration(Number(s.quietSeconds ?? 0)), relativeTime(s.since as string)]),
  );
}

/** `rdv orchestrator …`: status, insights, resolve, inject, stalled, monitoring, create, set, delete. */
export function registerOrchestrator(program: Command): void {
  const orch = program.command('orchestrator').alias('orch').description('the orchestrators that watch agent sessions: insights, injection, monitoring');
  examples(orch, ['rdv orchestrator monitoring start', 'rdv orchestrator insights', 'rdv orchestrator inject api "yes, continue"', 'rdv orchestrator status']);

  orch.command('status').alias('list').description('orchestrators, their settings and whether they are monitoring').argument(REF, 'only this one (default: all)')
    .action(async (ref: string | undefined, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const api = ctx.api();
      const items = ref ? [await lookupOrchestrator(api, ref)] : (await api.GET('/api/orchestrators')).items;
      if (ctx.out.json) {
        // The monitoring detail is extra; an orchestrator without it is still worth listing.
        const detailed = await Promise.all(items.map(async (o) => ({ ...o, monitoringStatus: await monitoringStatus(api, o.id).catch(() => null) })));
        return ctx.out.printJson({ items: detailed });
      }
      printOrchestrators(ctx, items);
      if (ref && items[0]) {
        ctx.out.line();
        printMonitoring(ctx, await monitoringStatus(api, items[0].id));
      }
    });

  orch.command('create').description('create a folder orchestrator (--folder), or get Master Control')
    .option('--folder <folder>', 'watch only this folder\'s sessions')
    .action(async (o: { folder?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const folderId = o.folder ? (await ctx.folder(o.folder)).id : undefined;
      const created = await ctx.api().POST('/api/orchestrators', { body: folderId ? { kind: 'folder', folderId } : { kind: 'master' } });
      if (ctx.out.json) return ctx.out.printJson(created);
      ctx.out.line(`orchestrator ${String(created.name ?? created.id)} (${shortId(String(created.id))}); start it with \`rdv orchestrator monitoring start ${String(created.id)}\``);
    });

  const set = orch.command('set').description('change an orchestrator\'s settings').argument(REF, REF_HELP)
    .option('--interval <seconds>', 'how often the full check runs')
    .option('--stall-after <seconds>', 'an agent silent this long is stalled')
    .option('--auto-nudge <on|off>', 'type the nudge text into stalled agents')
    .option('--nudge-text <text>', 'what auto-nudge types')
    .action(async (ref: string | undefined, o: { interval?: string; stallAfter?: string; autoNudge?: string; nudgeText?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const body = parseArgs(SettingsSchema, { intervalSeconds: o.interval, stallThresholdSeconds: o.stallAfter, autoIntervention: o.autoNudge, nudgeText: o.nudgeText }, undefined, SETTING_FLAGS);
      const target = await lookupOrchestrator(ctx.api(), ref);
      // Through JSON: the flags not given (undefined) are left out of the change.
      const change = JSON.parse(JSON.stringify(body)) as typeof body;
      const updated = await ctx.api().PATCH('/api/orchestrators/{id}', { params: { path: { id: target.id } }, body: change });
      if (ctx.out.json) return ctx.out.printJson(updated);
      printOrchestrators(ctx, [updated]);
    });
  examples(set, ['rdv orchestrator set --stall-after 600', 'rdv orchestrator set work --auto-nudge on --nudge-text "Please continue."']);

  orch.command('delete').description('delete an orchestrator (its monitoring stops; idempotent)').argument('<orchestrator>', 'id, name or folder name')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const target = await lookupOrchestrator(ctx.api(), ref);
      const result = await ctx.api().DELETE('/api/orchestrators/{id}', { params: { path: { id: target.id } } });
      if (ctx.out.json) return ctx.out.printJson(result);
      ctx.out.line(`deleted orchestrator ${String(target.name ?? target.id)}`);
    });

  const insights = orch.command('insights').description('what the orchestrators noticed: agents waiting for you, stalled, exited, errors')
    .argument(REF, 'only this orchestrator\'s (default: all of yours)')
    .option('-a, --all', 'resolved ones too')
    .action(async (ref: string | undefined, o: { all?: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const api = ctx.api();
      const query = { query: o.all ? {} : { open: 'true' as const } };
      const result = ref
        ? await api.GET('/api/orchestrators/{id}/insights', { params: { path: { id: (await lookupOrchestrator(api, ref)).id }, ...query } })
        : await api.GET('/api/insights', { params: query });
      if (ctx.out.json) return ctx.out.printJson(result);
      ctx.out.table(
        ['ID', 'SESSION', 'TYPE', 'SEVERITY', 'MESSAGE', 'WHEN', 'RESOLVED'],
        result.items.map((i) => [
          shortId(String(i.id)),
          String(i.sessionName ?? shortId(String(i.sessionId))),
          String(i.type),
          String(i.severity),
          truncate(String(i.message ?? ''), 60),
          relativeTime(i.createdAt as string),
          i.resolved ? 'yes' : 'no',
        ]),
        o.all ? 'no insights' : 'no open insights',
      );
    });
  examples(insights, ['rdv orchestrator insights', 'rdv orchestrator insights --all --json']);

  orch.command('resolve').description('mark insights resolved (idempotent)').argument('<insight...>', 'insight ids')
    .action(async (ids: string[], _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const results: Loose[] = [];
      for (const id of ids) results.push(await ctx.api().POST('/api/insights/{id}/resolve', { params: { path: { id } } }));
      if (ctx.out.json) return ctx.out.printJson(ids.length === 1 ? results[0] : { items: results });
      ctx.out.line(`resolved ${ids.join(', ')}`);
    });

  const inject = orch.command('inject').description('type text (then Enter) and/or press keys in a session, through an orchestrator (audited)')
    .argument('<session>', 'name or id')
    .argument('[text...]', 'a line to type')
    .option('-k, --key <key>', 'a key to press after the text, e.g. C-c, Escape, Enter, y (repeatable)', collect)
    .option('--no-enter', 'do not press Enter after the text')
    .option('--reason <why>', 'recorded in the audit log')
    .option('--orchestrator <orchestrator>', REF_HELP)
    .action(async (sessionRef: string, words: string[], o: { key?: string[]; enter: boolean; reason?: string; orchestrator?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const args = parseArgs(InjectArgsSchema, { text: words.length ? words.join(' ') : undefined, keys: o.key, reason: o.reason, ...(o.enter ? {} : { enter: false }) }, undefined, { keys: '--key', reason: '--reason' });
      const session = await ctx.session(sessionRef);
      const orchestrator = await lookupOrchestrator(ctx.api(), o.orchestrator);
      const result = await ctx.api().POST('/api/orchestrators/{id}/inject', { params: { path: { id: orchestrator.id } }, body: { sessionId: session.id, ...args } });
      if (ctx.out.json) return ctx.out.printJson(result);
      ctx.out.note(`sent to ${session.name}`);
    });
  examples(inject, ['rdv orchestrator inject api "yes, continue"', 'rdv orchestrator inject api --key C-c --reason "stuck in a loop"', 'rdv orchestrator inject api y --no-enter']);

  orch.command('stalled').description('sessions that are stalled now').argument(REF, REF_HELP)
    .action(async (ref: string | undefined, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const o = await lookupOrchestrator(ctx.api(), ref);
      const result = await ctx.api().GET('/api/orchestrators/{id}/stalled-sessions', { params: { path: { id: o.id } } });
      if (ctx.out.json) return ctx.out.printJson(result);
      printLoose(ctx.out, result.items, ['name', 'agent', 'quietSeconds', 'stalledSince', 'insightId'], 'no stalled sessions');
    });

  const monitoring = orch.command('monitoring').description('start, stop or show an orchestrator\'s monitoring');
  examples(monitoring, ['rdv orchestrator monitoring start', 'rdv orchestrator monitoring status work']);
  for (const action of ['start', 'stop'] as const) {
    monitoring.command(action).description(`${action} monitoring (it stays ${action === 'start' ? 'on across restarts' : 'off'})`).argument(REF, REF_HELP)
      .action(async (ref: string | undefined, _o: unknown, cmd: Command) => {
        const ctx = contextFor(cmd);
        const o = await lookupOrchestrator(ctx.api(), ref);
        const path = action === 'start' ? '/api/orchestrators/{id}/monitoring/start' : '/api/orchestrators/{id}/monitoring/stop';
        const result = await ctx.api().POST(path, { params: { path: { id: o.id } } });
        if (ctx.out.json) return ctx.out.printJson(result);
        ctx.out.line(`monitoring ${action === 'start' ? 'started' : 'stopped'} for ${String(o.name ?? o.id)}`);
      });
  }
  monitoring.command('status').description('whether it monitors, and the state of each watched session').argument(REF, REF_HELP)
    .action(async (ref: string | undefined, _o: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const o = await lookupOrchestrator(ctx.api(), ref);
      const result = await monitoringStatus(ctx.api(), o.id);
      if (ctx.out.json) return ctx.out.printJson(result);
      printMonitoring(ctx, result);
    });
}
