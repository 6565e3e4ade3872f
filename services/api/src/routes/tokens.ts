import { createToken, listTokens, revokeToken } from '@rdv/core/auth';
import { CreateTokenSchema, CreatedTokenSchema, TokenSchema, listOf } from '@rdv/core/schemas';
import { z } from 'zod';
import { AppError } from '@rdv/core/errors';
import { auditAs } from '../context.js';
import { defineRoute, type RouteDef } from '../route.js';
import type { RouteDeps } from './table.js';

const tag = 'tokens';
const DAY_MS = 86_400_000;

export function tokenRoutes(deps: RouteDeps): RouteDef[] {
  const db = deps.db.db;
  return [
    defineRoute({
      method: 'get',
      path: '/api/tokens',
      tag,
      summary: 'List your CLI tokens and API keys (never their secrets)',
      response: listOf(TokenSchema),
      handler: ({ auth }) => ({ items: listTokens(db, auth.user.id) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/tokens',
      tag,
      summary: 'Create a CLI token or API key; the secret is in this response only',
      body: CreateTokenSchema,
      response: CreatedTokenSchema,
      status: 201,
      sensitive: true,
      handler: ({ auth, body }) => {
        const days = body.expiresInDays ?? (body.kind === 'cli' && deps.cliTokenExpiryDays > 0 ? deps.cliTokenExpiryDays : undefined);
        const { token, record } = createToken(db, {
          userId: auth.user.id,
          kind: body.kind,
          name: body.name,
          expiresAt: days ? new Date(Date.now() + days * DAY_MS) : null,
        });
        auditAs(deps, auth, 'token.create', record.id, { kind: record.kind, name: record.name });
        return { ...record, token };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/tokens/:id',
      tag,
      summary: 'Revoke a token (idempotent)',
      response: TokenSchema,
      sensitive: true,
      handler: ({ auth, params }) => {
        const record = revokeToken(db, auth.user.id, params.id!);
        auditAs(deps, auth, 'token.revoke', record.id);
        return record;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/tokens/service/rotate',
      tag,
      summary: 'Rotate the service token (owner only); the previous one stays valid for the grace period',
      response: z.object({ id: z.string() }),
      sensitive: true,
      handler: ({ auth }) => {
        if (!auth.user.isOwner) throw new AppError('forbidden', 'only the owner can rotate the service token');
        const id = deps.serviceToken.rotate();
        deps.onServiceTokenRotated?.(id);
        auditAs(deps, auth, 'service_token.rotate', id);
        return { id };
      },
    }),
  ];
}
