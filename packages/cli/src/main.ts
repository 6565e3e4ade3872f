// The `rdv` entry point: build the command tree, run it, map failures to exit codes.
import { EXIT, toFailure } from './errors.js';
import { createProgram } from './program.js';

try {
  await createProgram().parseAsync(process.argv);
} catch (err) {
  const { message, exitCode } = toFailure(err);
  // "rdv is not running; …" reads best on its own; everything else is prefixed.
  if (message) process.stderr.write(exitCode === EXIT.notRunning ? `${message}\n` : `rdv: ${message}\n`);
  process.exitCode = exitCode;
}
