// The receiving side of Web Push, as a browser's push service and the browser do it:
// VAPID (RFC 8292) JWT verification and aes128gcm (RFC 8188) decryption with the
// subscription's keys (RFC 8291). Tests use it to check what rdv sends byte for byte.
import { createECDH, createPublicKey, createDecipheriv, hkdfSync, verify, type ECDH } from 'node:crypto';

const b64u = (s: string) => Buffer.from(s, 'base64url');

export interface VapidClaims {
  /** The `k=` key (base64url, uncompressed P-256 point). */
  publicKey: string;
  aud: string;
  sub: string;
  exp: number;
}

/**
 * Checks `Authorization: vapid t=<jwt>, k=<key>`: an ES256 JWT signed by `k`, whose `aud`
 * is the push service's origin and whose `exp` is in the future and at most 24 h away.
 * Returns the claims, or a reason when anything is off.
 */
export function verifyVapidAuthorization(header: string | undefined, origin: string, nowSec = Date.now() / 1000): VapidClaims | string {
  const m = /^vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!m) return 'no vapid authorization';
  const [jwt, k] = [m[1]!, m[2]!];
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const head = JSON.parse(b64u(h).toString('utf8')) as { alg?: string; typ?: string };
  if (head.alg !== 'ES256') return `alg ${head.alg}`;
  const point = b64u(k);
  if (point.length !== 65 || point[0] !== 4) return 'k is not an uncompressed P-256 point';
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
    format: 'jwk',
  });
  if (!verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, b64u(s))) return 'bad JWT signature';
  const claims = JSON.parse(b64u(p).toString('utf8')) as { aud?: string; sub?: string; exp?: number };
  if (claims.aud !== origin) return `aud ${claims.aud} is not ${origin}`;
  if (typeof claims.exp !== 'number' || claims.exp <= nowSec || claims.exp > nowSec + 86_400) return `exp ${claims.exp} out of range`;
  if (!claims.sub || !/^(mailto:|https:)/.test(claims.sub)) return `sub ${claims.sub}`;
  return { publicKey: k, aud: claims.aud, sub: claims.sub, exp: claims.exp };
}

/** A subscription's private side as a browser keeps it: the ECDH key pair and the auth secret. */
export interface SubscriptionSecrets {
  ecdh: ECDH;
  auth: Buffer;
}

const info = (label: string) => Buffer.from(`Content-Encoding: ${label}\u0000`, 'latin1');

/**
 * Decrypts an `aes128gcm` Web Push body. Throws with a reason on any malformed header,
 * wrong key, failed tag or bad padding.
 */
export function decryptWebPush(body: Buffer, secrets: SubscriptionSecrets): Buffer {
  if (body.length < 21) throw new Error('body shorter than the aes128gcm header');
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const senderPublic = body.subarray(21, 21 + idlen);
  if (idlen !== 65) throw new Error(`keyid of ${idlen} bytes; RFC 8291 puts the sender's 65-byte key there`);
  if (rs < 18) throw new Error(`record size ${rs}`);
  const uaPublic = secrets.ecdh.getPublicKey();
  const ecdhSecret = secrets.ecdh.computeSecret(senderPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\u0000', 'latin1'), uaPublic, senderPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, secrets.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, info('aes128gcm'), 16));
  const baseNonce = Buffer.from(hkdfSync('sha256', ikm, salt, info('nonce'), 12));
  const records: Buffer[] = [];
  const data = body.subarray(21 + idlen);
  for (let i = 0, off = 0; off < data.length; i++, off += rs) {
    const record = data.subarray(off, Math.min(off + rs, data.length));
    const last = off + rs >= data.length;
    const nonce = Buffer.from(baseNonce);
    // The record sequence number is XORed into the nonce's low bytes (96-bit big-endian).
    nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ i) >>> 0, 8);
    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(record.subarray(record.length - 16));
    const plain = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
    let end = plain.length - 1;
    while (end >= 0 && plain[end] === 0) end--;
    if (end < 0 || plain[end] !== (last ? 2 : 1)) throw new Error(`record ${i}: bad padding delimiter`);
    records.push(plain.subarray(0, end));
  }
  return Buffer.concat(records);
}

/** A browser-side subscription key pair and auth secret, and what `toJSON().keys` would show. */
export function createSubscriptionSecrets(auth: Buffer): { secrets: SubscriptionSecrets; keys: { p256dh: string; auth: string } } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { secrets: { ecdh, auth }, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } };
}
