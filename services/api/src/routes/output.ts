import {
  OUTPUT_HEADERS,
  OutputQuerySchema,
  OutputTextSchema,
  RestoreRequestSchema,
  RestoreResultSchema,
  SearchQuerySchema,
  SearchResultSchema,
} from '@rdv/core/schemas';
import { auditAs } from '../context.js';
import { defineRoute, type RouteDef } from '../route.js';
import type { RouteDeps } from './table.js';

/** A folder and every folder below it. */
function folderTree(deps: RouteDeps, userId: string, folderId: string): string[] {
  deps.folders.get(userId, folderId);
  const out: string[] = [];
  const stack = [folderId];
  while (stack.length) {
    const id = stack.pop()!;
    if (out.includes(id)) continue;
    out.push(id);
    stack.push(...deps.folders.children(userId, id).map((f) => f.id));
  }
  return out;
}

/** Sessions' kept output (read and searched), and lost sessions brought back. */
export function outputRoutes(deps: RouteDeps): RouteDef[] {
  const { sessions } = deps;
  const audit = auditAs.bind(null, deps);
  return [
    defineRoute({
      method: 'get',
      path: '/api/sessions/:id/output',
      tag: 'sessions',
      summary:
        "A page of the session's output log, also after it closed: text (escape sequences stripped) by default, or the raw bytes " +
        '(?format=raw, application/octet-stream, the range in X-Output-* headers); ?tail=N lines, or ?from=<byte offset>&limit=<bytes>',
      query: OutputQuerySchema,
      response: OutputTextSchema,
      produces: 'application/octet-stream',
      raw: true,
      handler: ({ auth, params, query, res }) => {
        const page = sessions.readOutput(auth.user.id, params.id!, { format: query.format, tail: query.tail, from: query.from, limitBytes: query.limit });
        const range = { start: page.start, end: page.end, logStart: page.logStart, logEnd: page.logEnd, more: page.more };
        if (page.format === 'text') {
          res.status(200).json({ sessionId: params.id!, format: 'text', text: page.text, ...range });
          return;
        }
        for (const [key, header] of Object.entries(OUTPUT_HEADERS)) res.setHeader(header, String(range[key as keyof typeof range]));
        res.status(200).type('application/octet-stream').end(page.data);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/search',
      tag: 'sessions',
      summary: "Search the output of the caller's sessions (closed ones too): sessions best first, each with its matching lines",
      query: SearchQuerySchema,
      response: SearchResultSchema,
      handler: ({ auth, query }) => {
        const items = deps.search.search({
          userId: auth.user.id,
          q: query.q,
          sessionId: query.sessionId,
          folderIds: query.folderId ? folderTree(deps, auth.user.id, query.folderId) : undefined,
          since: query.since ? new Date(query.since) : undefined,
          limit: query.limit,
          perSession: query.perSession,
        });
        return { q: query.q, items };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/sessions/restore',
      tag: 'sessions',
      summary:
        'Bring lost sessions back (their tmux session vanished without their shell exiting): agents resume their conversation, ' +
        'shells start again in their directory. dryRun says what would come back',
      body: RestoreRequestSchema,
      response: RestoreResultSchema,
      sensitive: true,
      handler: async ({ auth, body }) => {
        const result = await sessions.restoreLost(auth.user.id, body);
        if (!body.dryRun) audit(auth, 'session.restore', null, { restored: result.items.filter((i) => i.restored).map((i) => i.sessionId) });
        return result;
      },
    }),
  ];
}
