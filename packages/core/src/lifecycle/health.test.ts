import { afterEach, describe, expect, it, vi } from 'vitest';
import { cachedCount } from './health.js';

describe('cachedCount', () => {
  afterEach(() => vi.useRealTimers());

  it('counts once while fresh, answers stale at once while one refresh runs, and remembers a failure', async () => {
    vi.useFakeTimers();
    let calls = 0;
    let next: number | Error = 3;
    const count = cachedCount(async () => {
      calls++;
      if (next instanceof Error) throw next;
      return next;
    }, 1000);
    expect(await count()).toBe(3);
    expect(await count()).toBe(3);
    expect(calls).toBe(1);

    vi.advanceTimersByTime(1001);
    next = 5;
    expect(await count()).toBe(3); // stale, answered at once; the refresh runs behind it
    expect(calls).toBe(2);
    await Promise.resolve();
    expect(await count()).toBe(5);
    expect(calls).toBe(2);

    vi.advanceTimersByTime(1001);
    next = new Error('tmux cannot be run');
    await count();
    await Promise.resolve();
    await expect(count()).rejects.toThrow('tmux cannot be run');
  });

  it('shares one count between callers that arrive together', async () => {
    let calls = 0;
    const count = cachedCount(async () => ++calls, 1000);
    expect(await Promise.all([count(), count(), count()])).toEqual([1, 1, 1]);
    expect(calls).toBe(1);
  });
});
