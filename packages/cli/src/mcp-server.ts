// `rdv mcp`, loaded only when that command runs (the MCP SDK is heavy for every other command).
import { existsSync, readFileSync } from 'node:fs';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createRdvClient, type RdvClient } from '@rdv/client';
import { createSocketClient } from '@rdv/client/node';
import type { RdvConfig } from '@rdv/core/config';
import { AppError, ServiceDownError } from '@rdv/core/errors';
import { createLogger } from '@rdv/core/log';
import { createMcpServer } from '@rdv/core/mcp';
import { loadCliConfig } from './context.js';
import { currentSessionId, mcpCredentials } from './credentials.js';
import { mcpApi } from './mcp-api.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** With no key anywhere, every call explains what is missing instead of the server refusing to start. */
function keylessClient(config: RdvConfig): RdvClient {
  const socket = config.paths.apiSocket;
  return createRdvClient({
    transport: {
      baseUrl: 'http://rdv',
      fetch: async () => {
        if (!existsSync(socket)) throw new ServiceDownError(socket);
        throw new AppError('unauthorized', `no API key: RDV_API_KEY is not set and ${config.paths.cliToken} does not exist`);
      },
      unreachable: (err) => new AppError('unavailable', String(err), { cause: err }),
    },
  });
}

/**
 * `rdv mcp`: an MCP server on stdin/stdout. Only protocol goes to stdout; logs go to
 * stderr. Runs until the client closes stdin.
 */
export async function runMcp(home?: string): Promise<void> {
  const config = loadCliConfig(home);
  const log = createLogger({ stream: process.stderr, name: 'rdv-mcp', level: config.log.level });
  const creds = mcpCredentials(config);
  const client = creds ? createSocketClient({ socketPath: config.paths.apiSocket, token: creds.token }) : keylessClient(config);
  const sessionId = currentSessionId();
  const server = createMcpServer({ api: mcpApi(client), version: VERSION, log, currentSessionId: sessionId });
  const transport = new StdioServerTransport();
  await server.connect(transport);
  log.info({ credentials: creds?.source ?? 'none', socket: config.paths.apiSocket, sessionId }, 'rdv mcp serving on stdio');
  // A bad key is logged for the person reading the client's logs; tools report it to the agent too.
  client.GET('/api/auth/me').catch((err: unknown) => log.warn({ err: (err as Error).message }, 'the rdv api did not accept the request'));
  await new Promise<void>((resolveDone) => {
    process.stdin.once('end', resolveDone);
    process.stdin.once('close', resolveDone);
  });
  await server.close();
}
