import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import webpush from 'web-push';
import { z } from 'zod';
import { writeSecretFile } from '../../auth/index.js';
import { AppError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';

/** The server's VAPID identity (RFC 8292): a P-256 key pair, base64url, and the contact claim. */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

const VapidFileSchema = z.object({
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{87}$/),
  privateKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  createdAt: z.string(),
});

export const VAPID_FILE = 'vapid.json';

/** `vapid_subject` if set, else mailto:<owner email>, else a placeholder push services accept. */
export function vapidSubject(configured: string, ownerEmail: string): string {
  if (configured) return configured;
  return ownerEmail ? `mailto:${ownerEmail}` : 'mailto:rdv@localhost.invalid';
}

/**
 * The VAPID keys in `<serverDir>/vapid.json` (0600), made on first use. A file readable by
 * others is narrowed back to 0600 (and logged); an unreadable or malformed one throws
 * AppError(internal): replacing it would silently cut off every subscribed device.
 */
export function loadVapidKeys(serverDir: string, subject: string, log?: Logger): VapidKeys {
  const path = join(serverDir, VAPID_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new AppError('internal', `Cannot read ${path}`, { cause: err });
    const keys = webpush.generateVAPIDKeys();
    writeSecretFile(path, `${JSON.stringify({ ...keys, createdAt: new Date().toISOString() }, null, 2)}\n`);
    log?.info({ path }, 'VAPID keys created');
    return { ...keys, subject };
  }
  if ((statSync(path).mode & 0o077) !== 0) {
    chmodSync(path, 0o600);
    log?.warn({ path }, 'VAPID key file was readable by others; narrowed to 0600');
  }
  let parsed;
  try {
    parsed = VapidFileSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = null;
  }
  if (!parsed?.success) throw new AppError('internal', `${path} is not a VAPID key file; move it away to make new keys (subscribed devices must subscribe again)`);
  return { publicKey: parsed.data.publicKey, privateKey: parsed.data.privateKey, subject };
}
