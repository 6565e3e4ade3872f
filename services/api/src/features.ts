import type { RdvConfig } from '@rdv/core/config';
import type { DbHandle } from '@rdv/core/db';
import type { EventBus } from '@rdv/core/events';
import type { FolderService } from '@rdv/core/folder';
import type { ShutdownController } from '@rdv/core/lifecycle';
import type { Logger } from '@rdv/core/log';
import type { SessionService } from '@rdv/core/session';
import type { Tmux } from '@rdv/core/tmux';
import type { RouteDef } from './route.js';

/** What a feature (worktrees, orchestrator) gets from the api's composition root. */
export interface FeatureDeps {
  config: RdvConfig;
  db: DbHandle;
  tmux: Tmux;
  events: EventBus;
  folders: FolderService;
  sessions: SessionService;
  log: Logger;
  /** Register background jobs and resources here; they stop on shutdown. */
  shutdown: ShutdownController;
}

/** A feature adds routes (and may run background jobs registered on shutdown). */
export interface Feature {
  routes: RouteDef[];
}
