import { Command } from 'commander';
import { registerUp } from './commands/up.js';

const program = new Command();
program.name('rdv').description('rdv — a self-hosted home for coding agents').showHelpAfterError();
registerUp(program);
await program.parseAsync(process.argv);
