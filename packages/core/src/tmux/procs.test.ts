import { describe, expect, it } from 'vitest';
import { ancestors, descendants, listOwnProcs, parseProcStat, readEnviron, type ProcInfo } from './procs.js';

describe('/proc parsing', () => {
  it('reads the fields after the command name, whatever it holds', () => {
    const stat = '4242 (my (odd) prog) S 1 4240 4200 34817 4240 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 50';
    expect(parseProcStat(stat)).toEqual({ pid: 4242, comm: 'my (odd) prog', state: 'S', ppid: 1, pgid: 4240, sid: 4200, tpgid: 4240, startTime: 987654, cpuTicks: 3 });
    expect(parseProcStat('garbage')).toBeNull();
  });

  it('walks trees both ways over the live /proc', () => {
    const procs = listOwnProcs();
    const me = procs.find((p) => p.pid === process.pid);
    expect(me).toBeDefined();
    expect(ancestors(process.pid).has(me!.ppid)).toBe(true);
    expect(descendants(procs, [me!.ppid]).has(process.pid)).toBe(true);
    const tree: ProcInfo[] = [
      { pid: 10, ppid: 1, pgid: 10, sid: 10, state: 'S', startTime: 1, comm: 'sh', tpgid: 0, cpuTicks: 0 },
      { pid: 11, ppid: 10, pgid: 11, sid: 10, state: 'S', startTime: 1, comm: 'sh', tpgid: 0, cpuTicks: 0 },
      { pid: 12, ppid: 11, pgid: 11, sid: 10, state: 'S', startTime: 1, comm: 'sh', tpgid: 0, cpuTicks: 0 },
      { pid: 13, ppid: 1, pgid: 13, sid: 13, state: 'S', startTime: 1, comm: 'sh', tpgid: 0, cpuTicks: 0 },
    ];
    expect([...descendants(tree, [10])].sort()).toEqual([10, 11, 12]);
    expect(readEnviron(process.pid)?.get('PATH')).toBeTruthy();
    expect(readEnviron(2 ** 22 + 1)).toBeNull();
  });
});
