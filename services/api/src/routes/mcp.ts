import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Response } from 'express';
import { AppError } from '@rdv/core/errors';
import { createMcpServer } from '@rdv/core/mcp';
import { loopbackApi } from '../mcp/loopback-api.js';
import { defineRoute, type RouteDef } from '../route.js';
import type { RouteDeps } from './table.js';

/** The JSON-RPC answer for a method stateless MCP has no use for (no session to stream to or end). */
function notAllowed(res: Response): void {
  res.status(405).set('Allow', 'POST').json({ jsonrpc: '2.0', error: { code: -32000, message: 'this MCP endpoint is stateless: POST only' }, id: null });
}

/**
 * MCP over Streamable HTTP at /mcp, stateless: every POST gets a fresh server and
 * transport with the tools and resources of `rdv mcp`, answering with JSON or a short
 * SSE stream, and nothing is kept between requests (no Mcp-Session-Id), so any api
 * process can answer any request and a restart loses nothing. Only a bearer credential
 * (an API key or a CLI token) is accepted: the tools call the api with it.
 */
export function mcpRoutes(deps: RouteDeps): RouteDef[] {
  const log = deps.log.child({ component: 'mcp-http' });
  return [
    defineRoute({
      method: 'post',
      path: '/mcp',
      tag: 'mcp',
      summary: 'MCP over Streamable HTTP (stateless JSON-RPC; API key or CLI token as Bearer)',
      raw: true,
      handler: async ({ req, res, auth }) => {
        if (auth.method === 'service') throw new AppError('forbidden', 'MCP needs an API key or a CLI token as Bearer');
        if (!deps.apiSocket) throw new AppError('unavailable', 'MCP over HTTP needs the api on its socket');
        const server = createMcpServer({ api: loopbackApi(deps.apiSocket, req.headers.authorization ?? ''), version: deps.version, log });
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
        res.on('close', () => {
          // Closing a finished transport or server only releases memory; nothing to report.
          void transport.close().catch(() => undefined);
          void server.close().catch(() => undefined);
        });
        await server.connect(transport);
        await transport.handleRequest(req, res, req.body);
      },
    }),
    ...(['get', 'delete'] as const).map((method) =>
      defineRoute({
        method,
        path: '/mcp',
        tag: 'mcp',
        summary: 'Not used: the MCP endpoint is stateless (405)',
        raw: true,
        handler: ({ res }) => notAllowed(res),
      }),
    ),
  ];
}
