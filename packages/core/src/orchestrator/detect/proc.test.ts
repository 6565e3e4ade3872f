import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../testing/index.js';
import { createProcReader, parseStat } from './proc.js';

describe('/proc facts', () => {
  it('parses stat lines whose command holds spaces and parentheses', () => {
    const line = '4242 (my (odd) cmd) S 1 4242 4242 34816 4300 4194304 1 2 3 4 150 50 7 3 20 0 1 0 1 1 1';
    expect(parseStat(line)).toEqual(expect.objectContaining({ pid: 4242, comm: 'my (odd) cmd', ppid: 1, pgid: 4242, tpgid: 4300, cpuTicks: 210 }));
    expect(parseStat('garbage')).toBeNull();
  });

  it('adds up the CPU of a whole process tree', async () => {
    const proc = createProcReader();
    if (!proc.available) return;
    // Its own process group, so the busy grandchild can be ended with it.
    const child = spawn('sh', ['-c', 'sh -c "while :; do :; done" & wait'], { stdio: 'ignore', detached: true });
    try {
      const start = proc.treeCpuTicks(child.pid!) ?? 0;
      await waitFor(() => (proc.treeCpuTicks(child.pid!) ?? 0) - start >= 20, 'grandchild CPU counted', 10_000, 50);
      expect(proc.stat(child.pid!)?.cpuTicks ?? 0).toBeLessThan(20);
      expect(proc.shellInForeground(child.pid!)).toBe(false);
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
    }
    expect(proc.treeCpuTicks(2 ** 30)).toBeNull();
  });
});
