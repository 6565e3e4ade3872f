import type { Command } from 'commander';
import { loadConfig } from '@rdv/core/config';
import { availableServices, superviseServices } from '../supervisor.js';

/** `rdv up --foreground`: run the services here, restart any that dies, stop all on Ctrl-C. */
export async function runForeground(): Promise<number> {
  const config = loadConfig();
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const names = availableServices().map((s) => s.name);
  print(`[rdv] starting ${names.join(', ')} (RDV_HOME=${config.paths.home})`);
  const supervisor = superviseServices(config, { print });
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    print('[rdv] stopping services (tmux sessions keep running)…');
    void supervisor.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const { failed } = await supervisor.ready;
  if (!interrupted) {
    if (failed.length) print(`[rdv] not ready: ${failed.join(', ')} — see the messages above and ${config.paths.serverDir}/*.log`);
    print('');
    print('rdv is running.');
    print(`  API socket       ${config.paths.apiSocket}`);
    if (names.includes('terminal')) print(`  Terminal socket  ${config.paths.terminalSocket}`);
    if (names.includes('web')) print(`  Web              http://${config.web.listen}`);
    print(`  CLI token        ${config.paths.cliToken}`);
    print(`  Logs             ${config.paths.serverDir}/<service>.log`);
    print(`  Try              curl --unix-socket ${config.paths.apiSocket} -H "Authorization: Bearer $(cat ${config.paths.cliToken})" http://rdv/api/sessions`);
    print('Press Ctrl-C to stop the services; tmux sessions keep running.');
  }
  return supervisor.done;
}

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('start the rdv services')
    .option('--foreground', 'run in this terminal; Ctrl-C stops them', false)
    .action(async () => {
      process.exitCode = await runForeground();
    });
}
