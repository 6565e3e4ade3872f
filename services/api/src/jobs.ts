import { pruneAudit, pruneLoginSessions } from '@rdv/core/auth';
import type { RdvConfig } from '@rdv/core/config';
import type { Db } from '@rdv/core/db';
import type { EventBus } from '@rdv/core/events';
import { createScheduler, type Scheduler } from '@rdv/core/lifecycle';
import type { Logger } from '@rdv/core/log';
import { pruneActionTokens, pruneNotifications } from '@rdv/core/notify';
import type { OutputIndexer } from '@rdv/core/output';
import type { SessionService } from '@rdv/core/session';
import type { WorktreeService } from '@rdv/core/worktree';

const HOUR_MS = 3_600_000;
const OUTPUT_INDEX_INTERVAL_MS = 5000;

export interface ApiJobDeps {
  worktrees: Pick<WorktreeService, 'expireTrash'>;
  sessions: Pick<SessionService, 'reconcile'>;
  events: Pick<EventBus, 'prune'>;
  /** For pruning the notification centre, spent answer tokens, the audit log and ended sign-ins. */
  db: Db;
  /** Indexes new output for search; it pauses between batches, so it takes at most half a core. */
  indexer: Pick<OutputIndexer, 'catchUp'>;
  /** Rotates the service token when it is older than the rotation period. */
  rotateServiceToken: () => void;
}

/**
 * The api's background jobs: trash cleanup (at start, then every `cleanup.interval_hours`),
 * reconcile with tmux (every `sessions.reconcile_interval_ms`; the terminal service asks
 * for one sooner when it sees a session end), event pruning and service-token rotation
 * (hourly), notification history past `notifications.history_days` and answer tokens a day past
 * expiry, audit rows past `cleanup.audit_retention_days` and sign-ins ended a week ago (at
 * start, then hourly), and output indexing for search (at start, then every 5 s; each run
 * catches up a batch at a time). The caller disposes the scheduler on shutdown (the indexer
 * first, so a long catch-up stops at its next batch).
 */
export function startApiJobs(config: RdvConfig, log: Logger, deps: ApiJobDeps): Scheduler {
  const jobs = createScheduler(log);
  jobs.add({ name: 'trash cleanup', intervalMs: config.cleanup.interval_hours * HOUR_MS, runAtStart: true, run: () => deps.worktrees.expireTrash() });
  jobs.add({ name: 'reconcile', intervalMs: config.sessions.reconcile_interval_ms, run: () => deps.sessions.reconcile() });
  jobs.add({
    name: 'event pruning',
    intervalMs: HOUR_MS,
    run: () => {
      const removed = deps.events.prune(new Date(Date.now() - config.events.retention_hours * HOUR_MS));
      if (removed) log.debug({ removed }, 'pruned old events');
    },
  });
  jobs.add({ name: 'service token rotation', intervalMs: HOUR_MS, run: deps.rotateServiceToken });
  jobs.add({
    name: 'notification pruning',
    intervalMs: HOUR_MS,
    runAtStart: true,
    run: () => {
      const notifications = pruneNotifications(deps.db, new Date(Date.now() - config.notifications.history_days * 24 * HOUR_MS));
      const tokens = pruneActionTokens(deps.db);
      if (notifications || tokens) log.debug({ notifications, tokens }, 'pruned old notifications and answer tokens');
    },
  });
  jobs.add({
    name: 'audit pruning',
    intervalMs: HOUR_MS,
    runAtStart: true,
    run: () => {
      const audit = pruneAudit(deps.db, new Date(Date.now() - config.cleanup.audit_retention_days * 24 * HOUR_MS));
      const signIns = pruneLoginSessions(deps.db, new Date(Date.now() - 7 * 24 * HOUR_MS));
      if (audit || signIns) log.info({ audit, signIns }, 'pruned audit rows and ended sign-ins past their retention');
    },
  });
  jobs.add({ name: 'output indexing', intervalMs: OUTPUT_INDEX_INTERVAL_MS, runAtStart: true, run: () => deps.indexer.catchUp() });
  return jobs;
}
