import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ensurePrivateDir, isProcessAlive } from './process-files.js';

/** Where a running service can be reached: the URL to open, or the unix socket it listens on. */
export const ListenInfoSchema = z.union([
  z.object({ pid: z.number().int().positive(), url: z.url() }).strict(),
  z.object({ pid: z.number().int().positive(), socket: z.string().startsWith('/') }).strict(),
]);
export type ListenInfo = z.infer<typeof ListenInfoSchema>;

/**
 * Records where this process listens (e.g. `run/web.json`), 0600, written atomically, so
 * other programs learn the real address instead of guessing it from their own config.
 * Returns the remover for shutdown (it leaves a file another process has since written).
 */
export function writeListenFile(path: string, where: { url: string } | { socket: string }): () => void {
  ensurePrivateDir(dirname(path));
  const info = ListenInfoSchema.parse({ pid: process.pid, ...where });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
  return () => {
    if (readListenFile(path, { requireAlive: false })?.pid === process.pid) rmSync(path, { force: true });
  };
}

/**
 * Where the process that wrote `path` listens, or null: no file, not valid, or (unless
 * `requireAlive` is false) its writer is no longer running.
 */
export function readListenFile(path: string, options: { requireAlive?: boolean } = {}): ListenInfo | null {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // Missing or half-written: nobody has told us where they listen.
    return null;
  }
  const parsed = ListenInfoSchema.safeParse(raw);
  if (!parsed.success) return null;
  if (options.requireAlive !== false && !isProcessAlive(parsed.data.pid)) return null;
  return parsed.data;
}
