import type { Logger } from '@rdv/core/log';
import type { EdgeApi } from './edge-calls.js';

export interface FailedSignIn {
  source: string;
  reason: string;
  target: string;
  throttled: boolean;
}

export interface FailureAudit {
  /** Queues one failed sign-in for the audit log (sent within a second). */
  record(failure: FailedSignIn): void;
  /** Sends what is queued now. */
  flush(): Promise<void>;
  dispose(): Promise<void>;
}

const MAX_QUEUED = 1000;

/**
 * Every failed sign-in at the edge goes to the api's audit log, throttled or not. They are
 * sent in batches once a second; beyond 1000 waiting (a flood), the rest are counted and
 * written as one row with the count, so memory stays bounded and none goes unrecorded.
 */
export function createFailureAudit(api: Pick<EdgeApi, 'auditFailures'>, log: Logger, everyMs = 1000): FailureAudit {
  let queue: Array<FailedSignIn & { at: string }> = [];
  let dropped = 0;
  let sending: Promise<void> | null = null;
  const flush = async () => {
    await sending;
    if (!queue.length && !dropped) return;
    const batch = { failures: queue, dropped };
    queue = [];
    dropped = 0;
    sending = api.auditFailures(batch.failures, batch.dropped).then(
      () => undefined,
      (err: unknown) => {
        // The api is down: keep the count, so the rows it could not take are still recorded later.
        dropped += batch.failures.length + batch.dropped;
        log.warn({ err, failures: batch.failures.length + batch.dropped }, 'could not send failed sign-ins to the audit log');
      },
    );
    await sending;
    sending = null;
  };
  const timer = setInterval(() => void flush(), everyMs);
  timer.unref();
  return {
    record(failure) {
      if (queue.length >= MAX_QUEUED) dropped++;
      else queue.push({ ...failure, at: new Date().toISOString() });
    },
    flush,
    async dispose() {
      clearInterval(timer);
      await flush().catch(() => undefined);
    },
  };
}
