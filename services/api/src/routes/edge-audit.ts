import { EDGE_ROUTE_PREFIX, writeAudit } from '@rdv/core/auth';
import { z } from 'zod';
import type { AppDeps } from '../context.js';
import { defineRoute, type RouteDef } from '../route.js';

const FailureSchema = z
  .object({
    at: z.iso.datetime(),
    source: z.string().max(100),
    reason: z.string().max(300),
    target: z.string().max(300),
    throttled: z.boolean(),
  })
  .strict();

/** The edge has no database: its failed sign-ins are written to the audit log here, in batches. */
export function edgeAuditRoute(deps: AppDeps): RouteDef {
  const db = deps.db.db;
  return defineRoute({
    method: 'post',
    path: `${EDGE_ROUTE_PREFIX}/audit`,
    tag: 'edge',
    summary: "The web edge's failed sign-ins (throttled ones too); `dropped` counts those it could not keep",
    auth: 'edge',
    body: z.object({ failures: z.array(FailureSchema).max(1000), dropped: z.number().int().min(0) }).strict(),
    response: z.object({ written: z.number().int() }),
    handler: ({ body }) => {
      deps.db.sqlite.transaction(() => {
        for (const f of body.failures) {
          writeAudit(db, { action: 'auth', outcome: 'denied', authMethod: 'web', target: f.target, detail: { reason: f.reason, source: f.source, throttled: f.throttled, at: f.at } });
        }
        if (body.dropped > 0) {
          writeAudit(db, { action: 'auth', outcome: 'denied', authMethod: 'web', target: 'web', detail: { reason: 'more failed sign-ins than the edge could report one by one', count: body.dropped } });
        }
      })();
      return { written: body.failures.length };
    },
  });
}
