import type { Request } from 'express';
import type { DbHandle } from '@rdv/core/db';
import type { EventBus } from '@rdv/core/events';
import type { FolderService } from '@rdv/core/folder';
import type { HookStore } from '@rdv/core/hooks';
import type { HostService } from '@rdv/core/hosts';
import type { IdentityService, RepositoryService } from '@rdv/core/identity';
import type { KnowledgeService, LearningService } from '@rdv/core/knowledge';
import type { Logger } from '@rdv/core/log';
import { queueAudit, type CredentialWatch, type LoginSessionPolicy, type ServiceTokenStore } from '@rdv/core/auth';
import type { ApiMetrics } from './metrics.js';
import type { OrchestratorService } from '@rdv/core/orchestrator';
import type { OutputSearch } from '@rdv/core/output';
import type { SessionService } from '@rdv/core/session';
import type { Tmux } from '@rdv/core/tmux';
import type { AuthMethod, User } from '@rdv/core/schemas';
import type { WorktreeService } from '@rdv/core/worktree';
import type { Notifications } from './notifier.js';

/** Everything the app needs, built by main (or a test) and passed in. */
export interface AppDeps {
  db: DbHandle;
  tmux: Tmux;
  events: EventBus;
  folders: FolderService;
  knowledge: KnowledgeService;
  /** Learnings proposed from sessions' logs (it follows turn ends itself). */
  learnings: LearningService;
  hooks: HookStore;
  sessions: SessionService;
  /** Other machines running rdv, joined over ssh. */
  hosts: HostService;
  worktrees: WorktreeService;
  identities: IdentityService;
  repositories: RepositoryService;
  orchestrator: OrchestratorService;
  notifications: Notifications;
  /** Search over sessions' output logs (the indexer keeps its index current). */
  search: OutputSearch;
  serviceToken: ServiceTokenStore;
  log: Logger;
  version: string;
  startedAt: number;
  limits: { requestsPerMinute: number; sensitivePerMinute: number; authFailuresPerMinute: number; eventStreamsPerUser?: number };
  /** Event streams tied to the token that opened them (closed when it is revoked or expires). */
  watch?: CredentialWatch;
  cliTokenExpiryDays: number;
  /** How long browser sign-ins (login links) last. */
  loginSessions: LoginSessionPolicy;
  /** Told when a credential is revoked, so what it opened can be closed at once. */
  onRevoked?: (credential: { kind: 'token' | 'login_session'; id: string }) => void;
  /** Who may become a user through Cloudflare Access: owner_email and allowed_emails. */
  admission: { ownerEmail: string; allowedEmails: string[] };
  /** The api's own socket: MCP over HTTP calls it back with the caller's credential. */
  apiSocket?: string;
  /** Prometheus families fed from outside the app (monitor scans, notifications); made by createApp when absent. */
  metrics?: ApiMetrics;
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
  /** Set on hook routes: the session whose hook credential was presented. */
  hook?: { userId: string; sessionId: string };
}

export function hookOf(req: Request): { userId: string; sessionId: string } {
  const hook = (req as RequestWithAuth).hook;
  if (!hook) throw new Error('hook route reached without a hook credential');
  return hook;
}

export function authOf(req: Request): AuthContext {
  const auth = (req as RequestWithAuth).auth;
  if (!auth) throw new Error('route reached without authentication');
  return auth;
}

/** Writes an audit row for an operation done by the caller (`ok` unless said otherwise), with the others of this turn of the event loop. */
export function auditAs(
  deps: Pick<AppDeps, 'db'>,
  auth: AuthContext,
  action: string,
  target: string | null,
  detail?: Record<string, unknown>,
  outcome: 'ok' | 'denied' | 'error' = 'ok',
): void {
  queueAudit(deps.db.db, { action, outcome, userId: auth.user.id, tokenId: auth.tokenId, authMethod: auth.method, target, detail });
}
