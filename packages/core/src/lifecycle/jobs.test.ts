import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { testLogger } from '../testing/index.js';
import { createJob, createScheduler } from './index.js';

describe('background jobs', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs on its interval (and at start when asked) until disposed', async () => {
    const runs: number[] = [];
    const job = createJob({ name: 'tick', intervalMs: 1000, runAtStart: true, run: () => void runs.push(Date.now()) }, testLogger());
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(runs).toHaveLength(4);
    await job.dispose();
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toHaveLength(4);
    await job.runNow();
    expect(runs).toHaveLength(4);
  });

  it('never overlaps a slow run, survives a failing one, and waits for a run in progress on dispose', async () => {
    let started = 0;
    let finished = 0;
    const log = testLogger();
    const warn = vi.spyOn(log, 'warn');
    const job = createJob(
      {
        name: 'slow',
        intervalMs: 100,
        run: async () => {
          started++;
          await new Promise((r) => setTimeout(r, 250));
          finished++;
          if (started === 1) throw new Error('first run fails');
        },
      },
      log,
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(started).toBe(1);
    // Ticks at 200 and 300 fall inside the run: skipped.
    await vi.advanceTimersByTimeAsync(250);
    expect(started).toBe(1);
    expect(finished).toBe(1);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ job: 'slow' }), 'slow failed');
    await vi.advanceTimersByTimeAsync(50);
    expect(started).toBe(2);
    let disposed = false;
    const done = job.dispose().then(() => (disposed = true));
    await vi.advanceTimersByTimeAsync(100);
    expect(disposed).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    await done;
    expect(finished).toBe(2);
  });

  it('a scheduler stops all its jobs together and takes no more', async () => {
    const counts = { a: 0, b: 0 };
    const scheduler = createScheduler(testLogger());
    scheduler.add({ name: 'a', intervalMs: 10, run: () => void counts.a++ });
    scheduler.add({ name: 'b', intervalMs: 20, run: () => void counts.b++ });
    await vi.advanceTimersByTimeAsync(100);
    expect(counts).toEqual({ a: 10, b: 5 });
    expect(scheduler.jobs.map((j) => j.name)).toEqual(['a', 'b']);
    await scheduler.dispose();
    await scheduler.dispose();
    await vi.advanceTimersByTimeAsync(100);
    expect(counts).toEqual({ a: 10, b: 5 });
    expect(() => scheduler.add({ name: 'late', intervalMs: 10, run: () => {} })).toThrow(/after the scheduler was disposed/);
  });
});
