import type { Logger } from 'pino';

export interface ShutdownStep {
  name: string;
  run: () => void | Promise<void>;
}

export interface ShutdownController {
  /** Adds a step; steps run in reverse order of adding. */
  add(name: string, run: () => void | Promise<void>): void;
  /** Runs every step under the deadline; resolves when done (or forced). Idempotent. */
  shutdown(reason: string): Promise<void>;
  /** Installs SIGTERM/SIGINT handlers that shut down and exit. */
  handleSignals(exit?: (code: number) => void): void;
  readonly stopping: boolean;
}

/**
 * Shutdown with a deadline: each step in its own try/finally, in reverse order; if the
 * whole takes longer than `deadlineMs`, the process exits anyway (code 1).
 */
export function createShutdown(log: Logger, deadlineMs = 5000): ShutdownController {
  const steps: ShutdownStep[] = [];
  let running: Promise<void> | null = null;
  const controller: ShutdownController = {
    get stopping() {
      return running !== null;
    },
    add(name, run) {
      steps.push({ name, run });
    },
    shutdown(reason) {
      if (running) return running;
      log.info({ reason }, 'shutting down');
      running = (async () => {
        for (const step of [...steps].reverse()) {
          try {
            await step.run();
          } catch (err) {
            log.error({ err, step: step.name }, 'shutdown step failed');
          }
        }
        log.info('shutdown complete');
      })();
      return running;
    },
    handleSignals(exit = (code) => process.exit(code)) {
      const onSignal = (signal: NodeJS.Signals) => {
        if (running) return;
        const timer = setTimeout(() => {
          log.error({ deadlineMs }, 'shutdown deadline passed; forcing exit');
          exit(1);
        }, deadlineMs);
        timer.unref();
        void controller.shutdown(signal).then(() => {
          clearTimeout(timer);
          exit(0);
        });
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    },
  };
  return controller;
}
