import { z } from 'zod';
import {
  CreateIdentitySchema,
  EffectiveIdentityQuerySchema,
  EffectiveIdentitySchema,
  IdentitySchema,
  SetDefaultIdentitySchema,
  UpdateIdentitySchema,
  listOf,
} from '@rdv/core/schemas';
import { auditAs } from '../context.js';
import { defineRoute, type RouteDef } from '../route.js';
import type { RouteDeps } from './table.js';

const tag = 'identities';

/** /api/identities: git identities. Private keys go in (generated or imported) and never come out. */
export function identityRoutes(deps: RouteDeps): RouteDef[] {
  const { identities } = deps;
  const audit = auditAs.bind(null, deps);
  return [
    defineRoute({
      method: 'get',
      path: '/api/identities',
      tag,
      summary: 'Your git identities (name, email, public key; never the private key)',
      response: listOf(IdentitySchema),
      handler: ({ auth }) => ({ items: identities.list(auth.user.id) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/identities',
      tag,
      summary: 'Create an identity with a new Ed25519 key (generate: true) or an imported one (privateKey, no passphrase)',
      body: CreateIdentitySchema,
      response: IdentitySchema,
      status: 201,
      sensitive: true,
      handler: async ({ auth, body }) => {
        const identity = await identities.create(auth.user.id, body);
        audit(auth, 'identity.create', identity.id, { fingerprint: identity.fingerprint, generated: Boolean(body.generate) });
        return identity;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/identities/default',
      tag,
      summary: 'The identity a folder (?folderId=) or you work as by default, and where that comes from',
      query: EffectiveIdentityQuerySchema,
      response: EffectiveIdentitySchema,
      handler: ({ auth, query }) => identities.effective(auth.user.id, query.folderId ?? null),
    }),
    defineRoute({
      method: 'put',
      path: '/api/identities/default',
      tag,
      summary: "Set (or with identityId null clear) your default identity, or a folder's (inherited by its subfolders)",
      body: SetDefaultIdentitySchema,
      response: EffectiveIdentitySchema,
      handler: ({ auth, body }) => {
        identities.setDefault(auth.user.id, body.identityId, body.folderId);
        audit(auth, 'identity.default', body.identityId, { folderId: body.folderId ?? null });
        return identities.effective(auth.user.id, body.folderId ?? null);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/identities/:id',
      tag,
      summary: 'Get an identity',
      response: IdentitySchema,
      handler: ({ auth, params }) => identities.get(auth.user.id, params.id!),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/identities/:id',
      tag,
      summary: "Change an identity's name or email (the key stays)",
      body: UpdateIdentitySchema,
      response: IdentitySchema,
      handler: ({ auth, params, body }) => identities.update(auth.user.id, params.id!, body),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/identities/:id',
      tag,
      summary: 'Delete an identity and its key',
      response: z.object({ id: z.string(), deleted: z.literal(true) }),
      sensitive: true,
      handler: ({ auth, params }) => {
        identities.remove(auth.user.id, params.id!);
        audit(auth, 'identity.delete', params.id!);
        return { id: params.id!, deleted: true as const };
      },
    }),
  ];
}
