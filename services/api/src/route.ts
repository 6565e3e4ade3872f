import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import { parseInput } from '@rdv/core/schemas';
import { authOf, type AuthContext } from './context.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteContext<B, Q> {
  req: Request;
  res: Response;
  auth: AuthContext;
  body: B;
  query: Q;
  params: Record<string, string>;
}

/** One API route: its schemas drive validation and the OpenAPI document alike. */
export interface RouteDef<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType> {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  body?: B;
  query?: Q;
  response?: z.ZodType;
  /** Response status on success (default 200); a handler may set `res.locals.status` to differ. */
  status?: number;
  /** Counts against the sensitive rate limit. */
  sensitive?: boolean;
  /** Creates or revokes a credential, or mints a login link: refused to API keys (credential-guard.ts). */
  managesCredentials?: boolean;
  /**
   * Authentication: a user (default); the service token alone (rdv's services); a session's
   * hook credential (`:id` names the session); `edge` for the calls the web edge makes for
   * itself (under EDGE_ROUTE_PREFIX, with the edge-only credential); or none.
   */
  auth?: 'user' | 'service' | 'hook' | 'edge' | 'none';
  /** Takes `?host=`: another machine's api answers it (host-proxy.ts); set by the app, not by routes. */
  hosts?: boolean;
  /** Writes the response itself (SSE, or bytes). */
  raw?: boolean;
  /** A content type a raw route answers with besides (or instead of) JSON `response`, for the OpenAPI document. */
  produces?: string;
  handler: (ctx: RouteContext<z.output<B>, z.output<Q>>) => unknown;
}

/**
 * A JSON answer already serialized, with its entity tag: sent as it is (Express answers a
 * matching If-None-Match with 304 by itself). For big answers kept between requests.
 */
export class JsonText {
  constructor(
    readonly text: string,
    readonly etag: string,
  ) {}
}

export const defineRoute = <B extends z.ZodType, Q extends z.ZodType>(def: RouteDef<B, Q>): RouteDef =>
  def as unknown as RouteDef;

/** Mounts routes on a router; each parses its input and sends its result as JSON. */
export function mountRoutes(router: Router, routes: RouteDef[], before: (def: RouteDef) => RequestHandler[]): void {
  for (const def of routes) {
    const handler = async (req: Request, res: Response, _next: NextFunction) => {
      const body = def.body ? parseInput(def.body, req.body ?? {}, 'body') : undefined;
      const raw: Record<string, unknown> = { ...req.query };
      // `?host=local` reaches this machine: the route's own schema never sees it.
      if (def.hosts) delete raw.host;
      const query = def.query ? parseInput(def.query, raw, 'query') : undefined;
      const ctx = {
        req,
        res,
        auth: def.auth === 'user' || def.auth === undefined ? authOf(req) : (undefined as unknown as AuthContext),
        body,
        query,
        params: req.params as Record<string, string>,
      };
      const result = await def.handler(ctx);
      if (def.raw) return;
      if (result instanceof JsonText) {
        res.status(def.status ?? 200).setHeader('ETag', result.etag);
        res.type('application/json').send(result.text);
        return;
      }
      if (result === undefined) {
        res.status(def.status ?? 204).end();
        return;
      }
      // A handler may choose another success status (e.g. 200 for "already existed").
      res.status((res.locals.status as number | undefined) ?? def.status ?? 200).json(result);
    };
    router[def.method](def.path, ...before(def), handler);
  }
}
