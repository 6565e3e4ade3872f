import type { Request } from 'express';
import type { DbHandle } from '@rdv/core/db';
import type { EventBus } from '@rdv/core/events';
import type { FolderService } from '@rdv/core/folder';
import type { Logger } from '@rdv/core/log';
import type { RateLimiter, ServiceTokenStore } from '@rdv/core/auth';
import type { SessionService } from '@rdv/core/session';
import type { Tmux } from '@rdv/core/tmux';
import type { AuthMethod, User } from '@rdv/core/schemas';
import type { RouteDef } from './route.js';

/** Everything the app needs, built by main (or a test) and passed in. */
export interface AppDeps {
  db: DbHandle;
  tmux: Tmux;
  events: EventBus;
  folders: FolderService;
  sessions: SessionService;
  serviceToken: ServiceTokenStore;
  log: Logger;
  version: string;
  startedAt: number;
  limits: { requestsPerMinute: number; sensitivePerMinute: number; authFailuresPerMinute: number };
  cliTokenExpiryDays: number;
  /** Routes of features (worktrees, orchestrator) built in server.ts. */
  featureRoutes?: RouteDef[];
  /** Called when the service token is rotated through the API. */
  onServiceTokenRotated?: (id: string) => void;
}

export interface AuthContext {
  user: User;
  method: AuthMethod;
  tokenId: string | null;
}

export interface RequestWithAuth extends Request {
  auth?: AuthContext;
}

export function authOf(req: Request): AuthContext {
  const auth = (req as RequestWithAuth).auth;
  if (!auth) throw new Error('route reached without authentication');
  return auth;
}
