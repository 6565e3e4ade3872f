// `rdv` as people use it: build the command tree, run it, map failures to exit codes.
import { EXIT, toFailure } from './errors.js';
import { createProgram } from './program.js';

// A reader that went away (`rdv session list | head -1`, `rdv up --foreground | tee`
// and Ctrl-C) is not a failure: later output is dropped and the command carries on,
// so a supervisor keeps its services and still stops them cleanly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

try {
  await createProgram().parseAsync(process.argv);
} catch (err) {
  const { message, exitCode } = toFailure(err);
  // "rdv is not running; …" reads best on its own; everything else is prefixed.
  if (message) process.stderr.write(exitCode === EXIT.notRunning ? `${message}\n` : `rdv: ${message}\n`);
  process.exitCode = exitCode;
}
