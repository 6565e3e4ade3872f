// A stand-in for Cloudflare Access: a JWKS server on 127.0.0.1 and a token minter.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { afterAll } from 'vitest';

export const TEAM = 'rdv-test.cloudflareaccess.com';
export const ISSUER = `https://${TEAM}`;
export const AUD = 'a1b2c3d4e5f6-test-aud';

export interface TestAccess {
  certsUrl: string;
  /** Signs a token with the published key (override anything to forge). */
  token(claims?: Record<string, unknown>, options?: { iss?: string; aud?: string; expSeconds?: number; kid?: string; key?: CryptoKey }): Promise<string>;
  /** A key pair that is not published, for "unknown key" tokens. */
  strangerKey: CryptoKey;
  /** How many times the JWKS was fetched. */
  fetches(): number;
}

/** Starts the JWKS server for this test file (closed after all tests). */
export async function useTestAccess(): Promise<TestAccess> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const stranger = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
  let count = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === '/cdn-cgi/access/certs') {
      count++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const { port } = server.address() as AddressInfo;
  return {
    certsUrl: `http://127.0.0.1:${port}/cdn-cgi/access/certs`,
    strangerKey: stranger.privateKey,
    fetches: () => count,
    async token(claims = { email: 'ada@example.com' }, o = {}) {
      const now = Math.floor(Date.now() / 1000);
      const exp = o.expSeconds ?? 3600;
      return new SignJWT({ type: 'app', ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? 'test-key-1' })
        .setIssuer(o.iss ?? ISSUER)
        .setAudience(o.aud ?? AUD)
        .setIssuedAt(exp < 0 ? now + exp - 60 : now)
        .setExpirationTime(now + exp)
        .setSubject('user-1')
        .sign(o.key ?? privateKey);
    },
  };
}

/** An unsigned token (alg: none) with otherwise valid claims: it must never pass. */
export function unsignedToken(claims: Record<string, unknown> = { email: 'ada@example.com' }): string {
  const now = Math.floor(Date.now() / 1000);
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT', kid: 'test-key-1' })}.${b64({ ...claims, iss: ISSUER, aud: [AUD], iat: now, exp: now + 3600 })}.`;
}
