import type { Logger } from 'pino';
import type { Disposable } from '../disposable/index.js';

export interface JobSpec {
  /** Named in logs ("trash cleanup failed"). */
  name: string;
  intervalMs: number;
  run: () => unknown;
  /** Also run once at once (default false: first run after one interval). */
  runAtStart?: boolean;
}

export interface Job extends Disposable {
  readonly name: string;
  /** Runs now unless a run is already going (then waits for that one). Never rejects. */
  runNow(): Promise<void>;
  /** Stops the timer and waits for a run in progress. Idempotent. */
  dispose(): Promise<void>;
}

/**
 * A background job on an interval. Runs never overlap (a tick during a run is skipped),
 * a failing run is logged and the job carries on, and the timer never keeps the process
 * alive on its own.
 */
export function createJob(spec: JobSpec, log: Logger): Job {
  let running: Promise<void> | null = null;
  let disposed = false;
  const runNow = (): Promise<void> => {
    if (running) return running;
    if (disposed) return Promise.resolve();
    running = (async () => {
      try {
        await spec.run();
      } catch (err) {
        log.warn({ err, job: spec.name }, `${spec.name} failed`);
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const timer = setInterval(() => void runNow(), spec.intervalMs);
  timer.unref();
  if (spec.runAtStart) void runNow();
  return {
    name: spec.name,
    runNow,
    async dispose() {
      disposed = true;
      clearInterval(timer);
      await running;
    },
  };
}

export interface Scheduler extends Disposable {
  /** Starts a job (see createJob); it stops when the scheduler is disposed. */
  add(spec: JobSpec): Job;
  readonly jobs: readonly Job[];
  /** Stops every job and waits for runs in progress. Idempotent. */
  dispose(): Promise<void>;
}

/** A service's background jobs, stopped together on shutdown. */
export function createScheduler(log: Logger): Scheduler {
  const jobs: Job[] = [];
  let disposed = false;
  return {
    jobs,
    add(spec) {
      if (disposed) throw new Error(`job ${spec.name} added after the scheduler was disposed`);
      const job = createJob(spec, log);
      jobs.push(job);
      return job;
    },
    async dispose() {
      disposed = true;
      await Promise.all(jobs.map((job) => job.dispose()));
    },
  };
}
