import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../errors/index.js';
import { writeSecretFile } from './service-token.js';

/**
 * Secrets rdv must keep but never show (identity private keys, host tokens): sealed with
 * AES-256-GCM under one key in `server/secret.key` (0600, 32 random bytes, made on first
 * use). Each sealed value is bound to what it belongs to (`aad`, e.g. `identity:<id>`), so a
 * sealed value copied onto another record does not open. Format: `v1.<iv>.<tag>.<data>`
 * (base64url); nothing in it is secret without the key.
 */
export interface SecretBox {
  seal(plaintext: Buffer | string, aad: string): string;
  /** The plaintext; throws `internal` (never echoing the value) when the key or binding is wrong. */
  open(sealed: string, aad: string): Buffer;
}

const KEY_FILE = 'secret.key';

function loadOrCreateKey(serverDir: string): Buffer {
  const path = join(serverDir, KEY_FILE);
  try {
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
    if (key.length !== 32) throw new AppError('internal', `${path} does not hold a 256-bit key`);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const key = randomBytes(32);
    writeSecretFile(path, `${key.toString('base64url')}\n`);
    return key;
  }
}

export function openSecretBox(serverDir: string): SecretBox {
  let key: Buffer | null = null;
  const getKey = () => (key ??= loadOrCreateKey(serverDir));
  return {
    seal(plaintext, aad) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', getKey(), iv);
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const data = Buffer.concat([cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
    },
    open(sealed, aad) {
      const parts = sealed.split('.');
      if (parts.length !== 4 || parts[0] !== 'v1') throw new AppError('internal', 'a stored secret is not in a known format');
      try {
        const decipher = createDecipheriv('aes-256-gcm', getKey(), Buffer.from(parts[1]!, 'base64url'));
        decipher.setAAD(Buffer.from(aad, 'utf8'));
        decipher.setAuthTag(Buffer.from(parts[2]!, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(parts[3]!, 'base64url')), decipher.final()]);
      } catch {
        throw new AppError('internal', `a stored secret (${aad.split(':')[0]}) does not open with server/${KEY_FILE}: was the key replaced?`);
      }
    },
  };
}
