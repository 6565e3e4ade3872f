import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import {
  createOutputLocator,
  moveOutputToTrash,
  outputDir,
  readOutput,
  restoreOutputFromTrash,
  startOutputLog,
  type OutputPage,
  type ReadOutputOptions,
} from '../output/index.js';
import type { Tmux } from '../tmux/index.js';
import type { SessionRow } from './rows.js';

export interface SessionOutputConfig {
  /** RDV_HOME/sessions: each session's `<id>/output.log`. */
  sessionsDir: string;
  /** RDV_HOME: a trashed session's log waits in `trash/<entry id>/output`. */
  home: string;
  /** Rotation size (`[sessions] log_max_bytes`). */
  maxBytes: number;
}

/** A session's output log as the session service handles it: where it is, its moves with the trash, reading it. */
export interface SessionOutput {
  /** The session's output folder, live or in the trash; null when it has none. */
  locate(sessionId: string): string | null;
  /** Moves the log into a trash entry (after the session's tmux session, and so its writer, ended). */
  toTrash(sessionId: string, trashId: string): void;
  /** Brings a trashed log back; returns whether there was one. */
  fromTrash(sessionId: string, trashId: string): boolean;
  /** Reads a page (a session without a log reads as empty). */
  read(sessionId: string, options: ReadOutputOptions): OutputPage;
  /** Starts logging live sessions that do not log yet (sessions from before logs were kept, a writer that died). */
  ensureLogging(rows: SessionRow[]): Promise<void>;
}

export function createSessionOutput(config: SessionOutputConfig, deps: { db: Db; tmux: Tmux; log: Logger }): SessionOutput {
  const locate = createOutputLocator({ db: deps.db, sessionsDir: config.sessionsDir, home: config.home });
  const trashDir = (trashId: string) => join(config.home, 'trash', trashId);
  return {
    locate,
    toTrash(sessionId, trashId) {
      moveOutputToTrash(config.sessionsDir, sessionId, trashDir(trashId));
    },
    fromTrash(sessionId, trashId) {
      return restoreOutputFromTrash(trashDir(trashId), config.sessionsDir, sessionId);
    },
    read(sessionId, options) {
      // A missing folder reads as an empty log.
      return readOutput(locate(sessionId) ?? outputDir(config.sessionsDir, sessionId), options);
    },
    async ensureLogging(rows) {
      for (const r of rows) {
        try {
          await startOutputLog(deps.tmux, { name: r.tmuxName, dir: outputDir(config.sessionsDir, r.id), maxBytes: config.maxBytes });
        } catch (err) {
          // One session that cannot log (gone meanwhile) must not keep the others from it.
          deps.log.warn({ err, sessionId: r.id }, 'could not start the output log');
        }
      }
    },
  };
}
