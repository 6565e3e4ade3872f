import { z } from 'zod';
import { ErrorBodySchema } from '@rdv/core/schemas';
import type { RouteDef } from './route.js';

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' });

/** The OpenAPI 3 document, generated from the same route table and zod schemas that validate requests. */
export function buildOpenApi(routes: RouteDef[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const params = [...route.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const queryParams: unknown[] = [];
    if (route.query) {
      const js = jsonSchema(route.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(js.properties ?? {})) {
        queryParams.push({ name, in: 'query', required: js.required?.includes(name) ?? false, schema });
      }
    }
    if (route.hosts) {
      queryParams.push({ name: 'host', in: 'query', required: false, description: 'another machine (a host id or name) whose api answers instead; local by default', schema: { type: 'string' } });
    }
    const status = String(route.status ?? (route.response || route.raw ? 200 : 204));
    const content: Record<string, unknown> = {};
    if (route.response) content['application/json'] = { schema: jsonSchema(route.response, 'output') };
    if (route.raw) {
      const type = route.produces ?? 'text/event-stream';
      content[type] = { schema: { type: 'string', ...(type === 'application/octet-stream' ? { format: 'binary' } : {}) } };
    }
    const op: Record<string, unknown> = {
      summary: route.summary,
      tags: [route.tag],
      operationId: `${route.method}${route.path.replace(/[/:](\w)/g, (_m, c: string) => c.toUpperCase()).replace(/\W/g, '')}`,
      parameters: [...params, ...queryParams],
      responses: {
        [status]: {
          description: route.raw && !route.response ? (route.produces ?? 'text/event-stream') : 'OK',
          ...(Object.keys(content).length ? { content } : {}),
        },
        default: {
          description: 'Error',
          content: { 'application/json': { schema: jsonSchema(ErrorBodySchema, 'output') } },
        },
      },
    };
    if (route.body) {
      op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } };
    }
    if (route.auth === 'none') op.security = [];
    if (route.auth === 'service') op.security = [{ serviceToken: [] }];
    if (route.auth === 'edge') op.security = [{ edgeCredential: [] }];
    (paths[path] ??= {})[route.method] = op;
  }
  return {
    openapi: '3.0.3',
    info: { title: 'rdv API', version, description: 'The rdv API on RDV_HOME/run/api.sock. Errors are {error:{code,message}}.' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'CLI token or API key' },
        serviceToken: { type: 'apiKey', in: 'header', name: 'X-RDV-Service-Token', description: 'with X-RDV-User-ID' },
        edgeCredential: { type: 'apiKey', in: 'header', name: 'X-RDV-Edge-Credential', description: 'the web edge\'s own calls only' },
      },
    },
    security: [{ bearer: [] }, { serviceToken: [] }],
    paths,
  };
}
