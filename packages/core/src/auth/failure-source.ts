import type { IncomingHttpHeaders } from 'node:http';
import { EDGE_CREDENTIAL_HEADER } from './edge-credential.js';
import { hashToken } from './tokens.js';

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * Who failed to authenticate, for the per-source failure limits on the unix sockets (they
 * have no peer address): the credential presented, named by a short digest, never itself.
 * One client retrying a revoked token is throttled; everyone else still gets a plain 401.
 */
export function failureSource(headers: IncomingHttpHeaders): string {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(first(headers.authorization) ?? '');
  if (bearer) return `bearer:${hashToken(bearer[1]!).slice(0, 12)}`;
  if (headers.authorization !== undefined) return 'authorization';
  const service = first(headers['x-rdv-service-token']);
  if (service !== undefined) return `service:${hashToken(service).slice(0, 12)}`;
  if (headers[EDGE_CREDENTIAL_HEADER] !== undefined) return 'edge';
  return 'anonymous';
}
