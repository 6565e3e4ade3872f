import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { parentEnv } from '@rdv/core/config';
import { renderSystemdUnit, userUnitPath } from '@rdv/core/lifecycle';
import { examples } from '../args.js';
import { contextFor, type CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { REPO_ROOT } from '../supervisor.js';

const UNIT = 'rdv.service';

interface Run {
  ok: boolean;
  out: string;
}

/** Runs a systemd tool (argv, never a shell); a missing tool is a failed run. */
function run(program: string, args: string[], env: NodeJS.ProcessEnv): Run {
  const r = spawnSync(program, args, { env, encoding: 'utf8', timeout: 15_000 });
  if (r.error) return { ok: false, out: r.error.message };
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

/** Whether this user's systemd manager answers (not in most containers, or without a login session). */
function systemdReachable(env: NodeJS.ProcessEnv): Run {
  const r = run('systemctl', ['--user', 'show-environment'], env);
  return r.ok ? { ok: true, out: '' } : { ok: false, out: r.out.split('\n')[0] ?? '' };
}

/** "yes" or "no" for the user's lingering (started at boot without a login), or null when loginctl cannot say. */
function lingering(user: string, env: NodeJS.ProcessEnv): 'yes' | 'no' | null {
  const r = run('loginctl', ['show-user', user, '--property=Linger', '--value'], env);
  return r.ok && (r.out === 'yes' || r.out === 'no') ? r.out : null;
}

function context(ctx: CliContext) {
  const env = parentEnv();
  const user = env.USER || userInfo().username;
  const unitPath = userUnitPath(env);
  const render = () =>
    renderSystemdUnit({ repoDir: REPO_ROOT, nodePath: process.execPath, home: ctx.config().paths.home, ...(env.PATH ? { path: env.PATH } : {}) });
  return { env, user, unitPath, render };
}

const LINGER_NOTE = (user: string, linger: 'yes' | 'no' | null) =>
  linger === 'yes'
    ? `lingering is on for ${user}: rdv starts at boot, before anyone logs in`
    : `to start rdv at boot (not only when you log in), turn on lingering: loginctl enable-linger ${user}` +
      (linger === null ? ' (loginctl could not tell whether it is on)' : '');

function install(ctx: CliContext): void {
  const { env, user, unitPath, render } = context(ctx);
  const unit = render();
  const before = existsSync(unitPath) ? readFileSync(unitPath, 'utf8') : null;
  mkdirSync(dirname(unitPath), { recursive: true });
  if (before !== unit) writeFileSync(unitPath, unit, { mode: 0o644 });
  const systemd = systemdReachable(env);
  let enabled = false;
  if (systemd.ok) {
    const reload = run('systemctl', ['--user', 'daemon-reload'], env);
    const enable = reload.ok ? run('systemctl', ['--user', 'enable', UNIT], env) : reload;
    if (!enable.ok) throw new CliError(`wrote ${unitPath}, but systemctl failed: ${enable.out}`);
    enabled = true;
  }
  const linger = lingering(user, env);
  if (ctx.out.json) return ctx.out.printJson({ unitPath, changed: before !== unit, systemd: { reachable: systemd.ok, enabled }, user, linger });
  ctx.out.line(`${before === unit ? 'unchanged' : 'wrote'} ${unitPath}: runs \`rdv up --foreground\` from ${REPO_ROOT}`);
  if (enabled) {
    ctx.out.line('enabled: rdv starts with your user session. Start it now with `systemctl --user start rdv`');
    ctx.out.line('  (stop an `rdv up` already running first with `rdv down`: one rdv per RDV_HOME)');
  } else {
    ctx.out.line(`systemd's user manager is not reachable here (${systemd.out || 'no answer'}), so the unit is written but not enabled.`);
    ctx.out.line('  This is usual in a container or without a login session. Where systemd runs, enable it with:');
    ctx.out.line('  systemctl --user daemon-reload && systemctl --user enable --now rdv');
  }
  ctx.out.line(LINGER_NOTE(user, linger));
}

function uninstall(ctx: CliContext): void {
  const { env, unitPath } = context(ctx);
  const present = existsSync(unitPath);
  const systemd = systemdReachable(env);
  // Disabling also stops it; the tmux sessions keep running (the unit's KillMode=process).
  const disabled = systemd.ok && present ? run('systemctl', ['--user', 'disable', '--now', UNIT], env) : null;
  rmSync(unitPath, { force: true });
  if (systemd.ok) run('systemctl', ['--user', 'daemon-reload'], env);
  if (ctx.out.json) return ctx.out.printJson({ unitPath, removed: present, systemd: { reachable: systemd.ok, disabled: disabled?.ok ?? false } });
  if (!present) return ctx.out.line(`not installed (no ${unitPath}); nothing to remove`);
  ctx.out.line(`removed ${unitPath}`);
  if (disabled?.ok) ctx.out.line('disabled and stopped the rdv user service; tmux sessions keep running (`rdv up` starts rdv by hand)');
  else if (!systemd.ok) ctx.out.line(`systemd's user manager is not reachable here (${systemd.out || 'no answer'}); nothing else to undo`);
  else ctx.out.note(`systemctl could not disable it: ${disabled?.out ?? ''}`);
}

function status(ctx: CliContext): void {
  const { env, user, unitPath, render } = context(ctx);
  const installed = existsSync(unitPath);
  const current = installed && readFileSync(unitPath, 'utf8') === render();
  const systemd = systemdReachable(env);
  const ask = (verb: string) => (systemd.ok ? run('systemctl', ['--user', verb, UNIT], env).out.split('\n')[0] || null : null);
  const enabled = ask('is-enabled');
  const active = ask('is-active');
  const linger = lingering(user, env);
  if (ctx.out.json) return ctx.out.printJson({ unitPath, installed, current, systemd: { reachable: systemd.ok, enabled, active }, user, linger });
  ctx.out.pairs([
    ['unit', installed ? `${unitPath}${current ? '' : ' (differs from this checkout: run `rdv service install` again)'}` : `not installed (${unitPath})`],
    ['systemd', systemd.ok ? `enabled: ${enabled ?? '?'}, active: ${active ?? '?'}` : `not reachable (${systemd.out || 'no answer'})`],
    ['linger', linger ?? 'unknown'],
  ]);
  if (!installed) ctx.out.note('install it with `rdv service install`');
  else if (linger !== 'yes') ctx.out.note(LINGER_NOTE(user, linger));
}

/** `rdv service install|uninstall|status`: rdv as a systemd user service, started at boot. */
export function registerService(program: Command): void {
  const service = program.command('service').description('run rdv as a systemd user service, so it starts with your session or at boot');
  examples(service, ['rdv service install', 'loginctl enable-linger "$USER"', 'rdv service status', 'rdv service uninstall']);
  service
    .command('install')
    .description('write ~/.config/systemd/user/rdv.service for this checkout and enable it (when systemd is reachable)')
    .action((_o: unknown, cmd: Command) => install(contextFor(cmd)));
  service
    .command('uninstall')
    .description('disable and stop the user service and remove its unit (tmux sessions keep running)')
    .action((_o: unknown, cmd: Command) => uninstall(contextFor(cmd)));
  service
    .command('status')
    .description('whether the unit is installed, current, enabled and running, and whether lingering is on')
    .action((_o: unknown, cmd: Command) => status(contextFor(cmd)));
}
