import type { AppDeps } from '../context.js';
import type { ApiMetrics } from '../metrics.js';
import type { RouteDef } from '../route.js';
import { edgeRoutes } from './edge.js';
import { agentEventRoutes } from './agent-events.js';
import { eventRoutes, type SseRegistry } from './events.js';
import { folderRoutes } from './folders.js';
import { hookRoutes } from './hooks.js';
import { hostRoutes } from './hosts.js';
import { identityRoutes } from './identities.js';
import { internalRoutes } from './internal.js';
import { loginSessionRoutes } from './login-sessions.js';
import { knowledgeRoutes } from './knowledge.js';
import { learningRoutes } from './learnings.js';
import { mcpRoutes } from './mcp.js';
import { metricsRoutes } from './metrics.js';
import { notificationRoutes } from './notifications.js';
import { orchestratorRoutes } from './orchestrators.js';
import { outputRoutes } from './output.js';
import { repositoryRoutes } from './repositories.js';
import { sessionRoutes } from './sessions.js';
import { systemRoutes } from './system.js';
import { tokenRoutes } from './tokens.js';
import { worktreeDiffRoutes } from './worktree-diff.js';
import { worktreeRoutes } from './worktrees.js';

/** What every route module gets: the app's deps and what the app itself makes (live streams, requests in flight). */
export interface RouteDeps extends AppDeps {
  sse: SseRegistry;
  /** Requests in flight (for /health). */
  pending(): number;
  metrics: ApiMetrics;
}

export type RouteModule = (deps: RouteDeps) => RouteDef[];

/** Every feature's routes, in the order they are mounted and documented. */
export const ROUTE_TABLE: readonly RouteModule[] = [
  systemRoutes,
  eventRoutes,
  sessionRoutes,
  outputRoutes,
  agentEventRoutes,
  folderRoutes,
  // Before knowledgeRoutes: /knowledge/proposals is not an entry id.
  learningRoutes,
  knowledgeRoutes,
  hookRoutes,
  tokenRoutes,
  loginSessionRoutes,
  worktreeRoutes,
  identityRoutes,
  repositoryRoutes,
  worktreeDiffRoutes,
  hostRoutes,
  orchestratorRoutes,
  notificationRoutes,
  internalRoutes,
  edgeRoutes,
  mcpRoutes,
  metricsRoutes,
];
