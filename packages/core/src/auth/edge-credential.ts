import { createHmac } from 'node:crypto';

/**
 * Where the api serves the calls the web edge makes for itself (resolving a verified
 * email to a user, redeeming and minting login links). The edge forwards only /api/*
 * for browsers, so no browser request is ever sent here.
 */
export const EDGE_ROUTE_PREFIX = '/internal/edge';

/** The header carrying the edge-only credential (an X-RDV-* name: the edge strips every one from browsers). */
export const EDGE_CREDENTIAL_HEADER = 'x-rdv-edge-credential';

/**
 * The edge-only credential: an HMAC of a fixed label under the service token. It differs
 * from the service token that proxied browser requests carry, so holding what a proxied
 * request holds is not enough to make an edge-only call; and it rotates with the token.
 */
export function edgeCredential(serviceToken: string): string {
  return createHmac('sha256', serviceToken).update('rdv edge-only calls v1').digest('base64url');
}
