import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describeFailure } from './failure.js';
import type { RdvApi } from './api.js';

export const SESSIONS_URI = 'rdv://sessions';
export const SESSION_OUTPUT_TEMPLATE = 'rdv://sessions/{sessionId}/output';
const OUTPUT_LINES = 200;

/** Resource reads fail as protocol errors; the message still says what to do. */
async function orExplain<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw new Error(describeFailure(err, 'session'), { cause: err });
  }
}

/** `rdv://sessions` (the open sessions, JSON) and `rdv://sessions/{id}/output` (recent output, text). */
export function registerResources(server: McpServer, api: RdvApi): void {
  server.registerResource(
    'sessions',
    SESSIONS_URI,
    { title: 'rdv sessions', description: 'The open rdv sessions (JSON: { items: Session[] })', mimeType: 'application/json' },
    (uri) =>
      orExplain(async () => ({
        contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(await api.listSessions(), null, 2) }],
      })),
  );

  const template = new ResourceTemplate(SESSION_OUTPUT_TEMPLATE, {
    list: () =>
      orExplain(async () => ({
        resources: (await api.listSessions()).items.map((s) => ({
          uri: `rdv://sessions/${s.id}/output`,
          name: `${s.name} output`,
          description: `The last ${OUTPUT_LINES} lines of session ${s.name} (${s.status})`,
          mimeType: 'text/plain',
        })),
      })),
  });
  server.registerResource(
    'session-output',
    template,
    { title: 'Session output', description: `The last ${OUTPUT_LINES} lines of a session's terminal`, mimeType: 'text/plain' },
    (uri, variables) =>
      orExplain(async () => {
        const ref = decodeURIComponent(String(variables.sessionId ?? ''));
        const session = await api.resolveSession(ref);
        const { text } = await api.scrollback(session.id, OUTPUT_LINES);
        return { contents: [{ uri: uri.href, mimeType: 'text/plain', text }] };
      }),
  );
}
