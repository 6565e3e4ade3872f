import { createHash } from 'node:crypto';
import { writeVersion, type DbHandle } from '@rdv/core/db';
import { JsonText } from '../route.js';

const MAX_ENTRIES = 64;

/**
 * Serialized list answers kept until the database is written (by this process or
 * another): a list of a thousand sessions is read, mapped and stringified once per change
 * instead of once per request, and carries an entity tag for conditional requests.
 */
export function createListCache(db: Pick<DbHandle, 'sqlite'>) {
  const version = writeVersion(db);
  const entries = new Map<string, { version: string; body: JsonText }>();
  return {
    get(key: string, build: () => unknown): JsonText {
      const v = version();
      const hit = entries.get(key);
      if (hit && hit.version === v) return hit.body;
      const text = JSON.stringify(build());
      const body = new JsonText(text, `W/"${createHash('sha1').update(text).digest('base64url')}"`);
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
      entries.set(key, { version: v, body });
      return body;
    },
  };
}
