import type { Command } from 'commander';
import { examples } from '../args.js';
import { contextFor, loadCliConfig, type CliContext } from '../context.js';
import { EXIT } from '../errors.js';
import {
  checkMode,
  checkNode,
  checkSockets,
  checkStaleFiles,
  checkToken,
  checkOpenSsh,
  checkTool,
  type Check,
} from '../doctor-checks.js';

const MARK = { ok: '✓', warn: '!', fail: '✗' } as const;

async function gatherChecks(ctx: CliContext, home?: string): Promise<Check[]> {
  const checks: Check[] = [checkNode()];
  let config;
  try {
    config = loadCliConfig(home);
    checks.push({ name: 'config', status: 'ok', detail: `${config.paths.configFile} (or defaults)` });
  } catch (err) {
    checks.push({ name: 'config', status: 'fail', detail: (err as Error).message, fix: 'correct the setting named above' });
    return checks;
  }
  checks.push(...(await Promise.all([checkTool('tmux', [3, 0]), checkTool('git', [2, 25])])), checkOpenSsh());
  const p = config.paths;
  checks.push(checkMode('RDV_HOME', p.home, 0o700, true), checkMode('run dir', p.runDir, 0o700, false), checkMode('server dir', p.serverDir, 0o700, false));
  checks.push(checkMode('database', p.db, 0o600, false), checkMode('service-token', p.serviceToken, 0o600, false));
  checks.push(...(await checkStaleFiles(config)));
  checks.push(...(await checkSockets(config)));
  checks.push(
    ...(await checkToken(config, async () => {
      const me = await ctx.api().GET('/api/auth/me');
      return `the api accepts it (${me.auth.method} token of ${me.user.email ?? me.user.name ?? 'the owner'})`;
    })),
  );
  return checks;
}

/** `rdv doctor`: checks the environment, says how to fix each problem; exit 1 if any check fails. */
export async function runDoctor(ctx: CliContext, options: { fix: boolean; home?: string }): Promise<number> {
  let checks = await gatherChecks(ctx, options.home);
  const repaired: string[] = [];
  if (options.fix) {
    for (const c of checks) {
      if (c.status === 'ok' || !c.repair) continue;
      try {
        c.repair();
        repaired.push(c.name);
      } catch (err) {
        ctx.out.note(`rdv: could not fix ${c.name}: ${(err as Error).message}`);
      }
    }
    if (repaired.length) checks = await gatherChecks(ctx, options.home);
  }
  const failed = checks.filter((c) => c.status === 'fail').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  if (ctx.out.json) {
    ctx.out.printJson({ ok: failed === 0, repaired, checks: checks.map(({ repair: _r, ...c }) => c) });
    return failed ? EXIT.failed : EXIT.ok;
  }
  for (const c of checks) {
    ctx.out.line(`${MARK[c.status]} ${c.name.padEnd(16)} ${c.detail}`);
    if (c.fix && c.status !== 'ok') ctx.out.line(`  ${''.padEnd(16)} fix: ${c.fix}`);
  }
  if (repaired.length) ctx.out.line(`\nfixed: ${repaired.join(', ')}`);
  ctx.out.line(failed || warned ? `\n${failed} problem(s), ${warned} warning(s).` : '\nEverything looks fine.');
  if (!options.fix && checks.some((c) => c.repair && c.status !== 'ok')) ctx.out.line('Some of these can be repaired with `rdv doctor --fix`.');
  return failed ? EXIT.failed : EXIT.ok;
}

/** `rdv doctor [--fix]`. */
export function registerDoctor(program: Command): void {
  const cmd = program
    .command('doctor')
    .description('check tmux, git, RDV_HOME permissions, stale files, the token and the sockets; say how to fix each problem')
    .option('--fix', 'apply the safe repairs (chmod, remove stale pid/socket files)', false)
    .addHelpText('after', '\nExit status: 0 when nothing failed (warnings allowed), 1 otherwise.')
    .action(async (opts: { fix: boolean }, command: Command) => {
      process.exitCode = await runDoctor(contextFor(command), { fix: opts.fix, home: command.optsWithGlobals<{ home?: string }>().home });
    });
  examples(cmd, ['rdv doctor', 'rdv doctor --fix', 'rdv doctor --json | jq \'.checks[] | select(.status != "ok")\'']);
}
