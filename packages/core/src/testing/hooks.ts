// When test resources are released, and how tests wait for a condition.
import { afterAll, onTestFinished } from 'vitest';

/** How long a resource lives: until the current test ends, or until the file's tests are done. */
export type Scope = 'test' | 'file';

export const register = (scope: Scope, fn: () => void | Promise<void>) => (scope === 'test' ? onTestFinished(fn) : afterAll(fn));

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
