import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Logger } from '../log/index.js';
import { describeFailure, type ToolArea } from './failure.js';

/** An object whose fields the API defines; extra fields pass through untouched. */
export const LooseObjectSchema = z.looseObject({});
/** `{ items: [...] }` of loose objects. */
export const LooseListSchema = z.object({ items: z.array(LooseObjectSchema) });

export interface ToolSpec<I extends z.ZodRawShape, O extends z.ZodObject> {
  name: string;
  area: ToolArea;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations?: ToolAnnotations;
  run: (args: z.output<z.ZodObject<I>>) => Promise<z.input<O>>;
}

/**
 * Registers one tool: zod input and output schemas, a JSON text copy of the structured
 * result for clients that only read text, and failures as `isError` results with a
 * message the agent can act on (arguments that fail the input schema are reported by
 * the SDK before `run` is called).
 */
export function registerRdvTool<I extends z.ZodRawShape, O extends z.ZodObject>(server: McpServer, log: Logger, spec: ToolSpec<I, O>): void {
  const handler = async (args: z.output<z.ZodObject<I>>): Promise<CallToolResult> => {
    try {
      const data = (await spec.run(args)) as Record<string, unknown>;
      return { content: [{ type: 'text', text: JSON.stringify(data, null, 2) }], structuredContent: data };
    } catch (err) {
      const text = describeFailure(err, spec.area);
      log.warn({ tool: spec.name, err: err instanceof Error ? err.message : String(err) }, 'tool failed');
      return { content: [{ type: 'text', text }], isError: true };
    }
  };
  server.registerTool(
    spec.name,
    {
      title: spec.title,
      description: spec.description,
      inputSchema: spec.input,
      outputSchema: spec.output,
      annotations: { title: spec.title, ...spec.annotations },
    },
    // The SDK's callback type is generic over every zod flavour; the shape above is what it validates against.
    handler as never,
  );
}

/** Session reference accepted by every session tool. */
export const SessionRefSchema = z
  .string()
  .min(1)
  .max(200)
  .describe('the session id (UUID) or its name, as shown by session_list');
