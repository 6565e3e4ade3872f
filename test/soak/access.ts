// A stand-in for Cloudflare Access for the forged-credentials suite: a JWKS server on
// 127.0.0.1 that can be stopped, and tokens signed right, wrong, or not at all.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { afterAll } from 'vitest';

export const TEAM = 'rdv-soak.cloudflareaccess.com';
export const ISSUER = `https://${TEAM}`;
export const AUD = 'soak-aud-0123456789';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export interface Access {
  certsUrl: string;
  /** A token signed with the published key; override claims, header or key to forge. */
  token(email: string, o?: { aud?: string; iss?: string; expSeconds?: number; nbfSeconds?: number; kid?: string; key?: CryptoKey; claims?: Record<string, unknown> }): Promise<string>;
  strangerKey: CryptoKey;
  /** The published key's JWK (public), for HS256-with-the-public-key forgeries. */
  publicJwk: JWK;
  stop(): Promise<void>;
}

export async function useAccess(): Promise<Access> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const stranger = await generateKeyPair('RS256', { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid: 'soak-key-1', alg: 'RS256', use: 'sig' };
  const server: Server = createServer((req, res) => {
    if (req.url === '/cdn-cgi/access/certs') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  let stopped = false;
  const stop = () =>
    new Promise<void>((r) => {
      if (stopped) return r();
      stopped = true;
      server.closeAllConnections();
      server.close(() => r());
    });
  afterAll(stop);
  return {
    certsUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cdn-cgi/access/certs`,
    strangerKey: stranger.privateKey,
    publicJwk,
    stop,
    async token(email, o = {}) {
      const now = Math.floor(Date.now() / 1000);
      const jwt = new SignJWT({ type: 'app', ...(email ? { email } : {}), ...o.claims })
        .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? 'soak-key-1' })
        .setIssuer(o.iss ?? ISSUER)
        .setAudience(o.aud ?? AUD)
        .setIssuedAt(now - 10)
        .setExpirationTime(now + (o.expSeconds ?? 600))
        .setSubject(email || 'service');
      if (o.nbfSeconds !== undefined) jwt.setNotBefore(now + o.nbfSeconds);
      return jwt.sign(o.key ?? privateKey);
    },
  };
}

/** The forgeries that need no key: alg none, HS256 keyed with the public key, a swapped payload. */
export function forgeries(access: Access, valid: string): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { email: 'ada@example.com', iss: ISSUER, aud: [AUD], iat: now, exp: now + 600 };
  const none = `${b64({ alg: 'none', typ: 'JWT', kid: 'soak-key-1' })}.${b64(claims)}.`;
  const hsHead = `${b64({ alg: 'HS256', typ: 'JWT', kid: 'soak-key-1' })}.${b64(claims)}`;
  const hsWithN = `${hsHead}.${createHmac('sha256', Buffer.from(access.publicJwk.n!, 'base64url')).update(hsHead).digest('base64url')}`;
  const hsWithJwk = `${hsHead}.${createHmac('sha256', JSON.stringify(access.publicJwk)).update(hsHead).digest('base64url')}`;
  const [h, , s] = valid.split('.');
  return {
    'alg none': none,
    'HS256 keyed with the public modulus': hsWithN,
    'HS256 keyed with the public JWK': hsWithJwk,
    'payload swapped under a valid signature': `${h}.${b64({ ...claims, email: 'ada@example.com' })}.${s}`,
    'signature stripped': `${h}.${valid.split('.')[1]}.`,
    garbage: 'not.a.jwt',
    'three empty parts': '..',
  };
}
