// Test helpers: real tmux, SQLite and temp dirs, each registering its own cleanup.
// Only tests import this (it is not part of the built package).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished, afterAll } from 'vitest';
import { openDb, type DbHandle } from '../db/index.js';
import { createSilentLogger } from '../log/index.js';
import { createTmux, type Tmux } from '../tmux/index.js';

type Scope = 'test' | 'file';
const register = (scope: Scope, fn: () => void | Promise<void>) => (scope === 'test' ? onTestFinished(fn) : afterAll(fn));

/** A temp dir (short path, so unix sockets fit), removed afterwards. */
export function useTempDir(scope: Scope = 'test', prefix = 'rdv-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  register(scope, () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A tmux wrapper on its own socket (`test-<random>`); the server is killed afterwards. */
export function useTmux(scope: Scope = 'test'): Tmux {
  const tmux = createTmux({ socket: `test-${randomBytes(4).toString('hex')}`, configFile: '/dev/null', historyLimit: 5000 });
  register(scope, () => tmux.killServer());
  return tmux;
}

/** A migrated temp database. */
export function useDb(scope: Scope = 'test'): DbHandle {
  const dir = useTempDir(scope);
  const handle = openDb({ path: join(dir, 'test.db'), migrate: true });
  register(scope, () => handle.dispose());
  return handle;
}

export const testLogger = createSilentLogger;

/** Polls `check` until it returns a truthy value or the timeout passes (then throws with `what`). */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000, everyMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
