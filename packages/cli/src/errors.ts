import { CommanderError } from 'commander';
import { ServiceDownError, isAppError } from '@rdv/core/errors';

/** Process exit codes of `rdv`, documented in the README. */
export const EXIT = {
  ok: 0,
  /** The operation failed: the server said no, or something it needs is broken. */
  failed: 1,
  /** Bad usage: unknown command or option, or an argument that does not parse. */
  usage: 2,
  /** The services are not running. */
  notRunning: 3,
} as const;

export const NOT_RUNNING_MESSAGE = 'rdv is not running; start it with `rdv up` (or `npm start`)';

/** An error with its own exit code and a message meant for people. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** Bad arguments or flags (exit 2). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}

/** The services are not running (exit 3). */
export class NotRunningError extends CliError {
  constructor(detail?: string) {
    super(detail ? `${NOT_RUNNING_MESSAGE} (${detail})` : NOT_RUNNING_MESSAGE, EXIT.notRunning);
    this.name = 'NotRunningError';
  }
}

/** The features a server may predate, by the first segment of their api paths. */
const FEATURE_OF_ROUTE: Record<string, string> = { worktrees: 'worktree', trash: 'worktree', orchestrators: 'orchestrator', insights: 'orchestrator' };

/** Where "no route for …" means the server predates a feature, names the feature. */
export function explainMissingRoute(message: string): string {
  const feature = FEATURE_OF_ROUTE[/^no route for \w+ \/api\/([\w-]+)/.exec(message)?.[1] ?? ''];
  return feature ? `this rdv server has no ${feature} support yet (${message}); update rdv and restart it with \`rdv down && rdv up\`` : message;
}

/**
 * Maps anything thrown by a command to one line for stderr and an exit code. Commander's
 * own errors have already printed their message (see program.ts), so theirs is empty.
 */
export function toFailure(err: unknown): { message: string; exitCode: number } {
  if (err instanceof CommanderError) {
    // Help asked for (`--help`, `rdv help x`) and --version end with 0; help shown for a mistake with 2.
    return { message: '', exitCode: err.exitCode === 0 ? EXIT.ok : EXIT.usage };
  }
  if (err instanceof ServiceDownError) return { message: NOT_RUNNING_MESSAGE, exitCode: EXIT.notRunning };
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  if (isAppError(err)) {
    if (err.code === 'unauthorized') {
      return {
        message: `the server refused the CLI token: ${err.message} (unset RDV_TOKEN, or restart rdv with \`rdv down && rdv up\` to write a new RDV_HOME/cli-token)`,
        exitCode: EXIT.failed,
      };
    }
    if (err.code === 'rate_limited') return { message: `${err.message} (rate limited)`, exitCode: EXIT.failed };
    if (err.code === 'not_found') return { message: explainMissingRoute(err.message), exitCode: EXIT.failed };
    return { message: err.message, exitCode: EXIT.failed };
  }
  return { message: `internal error: ${(err as Error)?.message ?? String(err)}`, exitCode: EXIT.failed };
}
