import {
  CreateOrchestratorSchema,
  DeletedOrchestratorSchema,
  InjectResultSchema,
  InjectSchema,
  InsightSchema,
  ListInsightsQuerySchema,
  MonitoringStatusSchema,
  OrchestratorSchema,
  StalledSessionSchema,
  UpdateOrchestratorSchema,
  listOf,
} from '@rdv/core/schemas';
import { auditAs, type AuthContext } from '../context.js';
import { defineRoute, type RouteDef } from '../route.js';
import { isPerson } from './learnings.js';
import type { RouteDeps } from './table.js';

const tag = 'orchestrators';

/** /api/orchestrators and /api/insights: thin mapping onto the orchestrator service. */
export function orchestratorRoutes(deps: RouteDeps): RouteDef[] {
  const service = deps.orchestrator;
  const audit = (auth: AuthContext, action: string, target: string, detail?: Record<string, unknown>) => auditAs(deps, auth, action, target, detail);
  const actor = (auth: AuthContext) => ({ userId: auth.user.id, tokenId: auth.tokenId, authMethod: auth.method });

  return [
    defineRoute({
      method: 'get',
      path: '/api/orchestrators',
      tag,
      summary: 'List orchestrators: Master Control first, then folder orchestrators',
      response: listOf(OrchestratorSchema),
      handler: ({ auth }) => ({ items: service.list(auth.user.id) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/orchestrators',
      tag,
      summary: 'Create an orchestrator: {kind:"master"} returns Master Control (made on first use); {kind:"folder", folderId} watches a folder',
      body: CreateOrchestratorSchema,
      response: OrchestratorSchema,
      status: 201,
      handler: ({ auth, body, res }) => {
        const { orchestrator, created } = service.create(auth.user.id, body);
        if (created) audit(auth, 'orchestrator.create', orchestrator.id, { kind: orchestrator.kind, folderId: orchestrator.folderId });
        // The existing one comes back as 200; a new one is 201.
        if (!created) res.locals.status = 200;
        return orchestrator;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/orchestrators/:id',
      tag,
      summary: 'Get an orchestrator',
      response: OrchestratorSchema,
      handler: ({ auth, params }) => service.get(auth.user.id, params.id!),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/orchestrators/:id',
      tag,
      summary: 'Change settings: intervalSeconds, stallThresholdSeconds, autoIntervention, nudgeText',
      body: UpdateOrchestratorSchema,
      response: OrchestratorSchema,
      handler: ({ auth, params, body }) => {
        const o = service.update(auth.user.id, params.id!, body);
        audit(auth, 'orchestrator.update', o.id, { fields: Object.keys(body) });
        return o;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/orchestrators/:id',
      tag,
      summary: 'Delete an orchestrator (its monitoring stops); idempotent',
      response: DeletedOrchestratorSchema,
      sensitive: true,
      handler: ({ auth, params }) => {
        const result = service.delete(auth.user.id, params.id!);
        if (result.deleted) audit(auth, 'orchestrator.delete', result.id);
        return result;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/orchestrators/:id/insights',
      tag,
      summary: 'Insights about the sessions this orchestrator covers, newest first (?open=true for open ones)',
      query: ListInsightsQuerySchema,
      response: listOf(InsightSchema),
      handler: ({ auth, params, query }) => ({ items: service.insights(auth.user.id, params.id!, query) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/orchestrators/:id/inject',
      tag,
      summary: 'Type text (then Enter) and/or press named keys in a session; audited and rate limited per session',
      body: InjectSchema,
      response: InjectResultSchema,
      sensitive: true,
      handler: async ({ auth, params, body }) => {
        const result = await service.inject(actor(auth), params.id!, body);
        // What a person typed to a waiting agent may be worth proposing as knowledge; an agent's own injections are not.
        if (body.text && isPerson(auth)) deps.learnings.noteInput(auth.user.id, body.sessionId, { text: body.text, source: 'inject' });
        return result;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/orchestrators/:id/monitoring/start',
      tag,
      summary: 'Start monitoring (survives restarts until stopped)',
      response: MonitoringStatusSchema,
      handler: async ({ auth, params }) => {
        const status = await service.startMonitoring(auth.user.id, params.id!);
        audit(auth, 'orchestrator.monitoring.start', status.orchestratorId);
        return status;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/orchestrators/:id/monitoring/stop',
      tag,
      summary: 'Stop monitoring; insights it had open are resolved',
      response: MonitoringStatusSchema,
      handler: ({ auth, params }) => {
        const status = service.stopMonitoring(auth.user.id, params.id!);
        audit(auth, 'orchestrator.monitoring.stop', status.orchestratorId);
        return status;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/orchestrators/:id/monitoring/status',
      tag,
      summary: 'Whether it is monitoring, how, and the state of each watched session',
      response: MonitoringStatusSchema,
      handler: ({ auth, params }) => service.monitoringStatus(auth.user.id, params.id!),
    }),
    defineRoute({
      method: 'get',
      path: '/api/orchestrators/:id/stalled-sessions',
      tag,
      summary: 'Sessions it covers that are stalled now',
      response: listOf(StalledSessionSchema),
      handler: ({ auth, params }) => ({ items: service.stalledSessions(auth.user.id, params.id!) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/insights',
      tag,
      summary: "All of the user's insights, newest first (?open=true: the attention list)",
      query: ListInsightsQuerySchema,
      response: listOf(InsightSchema),
      handler: ({ auth, query }) => ({ items: service.listInsights(auth.user.id, query) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/insights/:id/resolve',
      tag,
      summary: 'Resolve an insight by hand (idempotent)',
      response: InsightSchema,
      handler: ({ auth, params }) => service.resolveInsight(auth.user.id, params.id!),
    }),
  ];
}
