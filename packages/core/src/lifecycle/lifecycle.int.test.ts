import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testLogger, useTempDir } from '../testing/index.js';
import { DisposableStore, acquirePidFile, createShutdown, isProcessAlive, listenUnix, toDisposable } from './index.js';

describe('pid files', () => {
  it('refuses a live owner and cleans up after a dead one', () => {
    const dir = useTempDir();
    const pidFile = join(dir, 'server', 'api.pid');
    const sock = join(dir, 'api.sock');
    // A live process that is not us: our parent.
    writeFileSync(join(dir, 'x'), '');
    const server = acquirePidFile(pidFile, [], testLogger(), 'api');
    server.release();
    writeFileSync(pidFile, `${process.ppid}\n`);
    expect(() => acquirePidFile(pidFile, [], testLogger(), 'api')).toThrow(/already running/);
    // A dead process: one that has exited.
    const dead = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    expect(isProcessAlive(Number(dead))).toBe(false);
    writeFileSync(pidFile, `${dead}\n`);
    writeFileSync(sock, 'stale');
    const handle = acquirePidFile(pidFile, [sock], testLogger(), 'api');
    expect(existsSync(sock)).toBe(false);
    expect(statSync(pidFile).mode & 0o777).toBe(0o600);
    handle.release();
    expect(existsSync(pidFile)).toBe(false);
  });
});

describe('listenUnix', () => {
  it('listens with 0600 in a 0700 directory and replaces a stale socket', async () => {
    const dir = useTempDir();
    const path = join(dir, 'run', 's.sock');
    const first = createServer();
    const remove = await listenUnix(first, path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'run')).mode & 0o777).toBe(0o700);
    // Simulate a crash: the file stays, nobody listens.
    await new Promise<void>((r) => first.close(() => r()));
    const second = createServer();
    if (!existsSync(path)) writeFileSync(path, '');
    await expect(listenUnix(second, path)).rejects.toThrow(/not a socket/);
    remove();
    const third = createServer();
    const removeThird = await listenUnix(third, path);
    expect(statSync(path).isSocket()).toBe(true);
    await new Promise<void>((r) => third.close(() => r()));
    removeThird();
    second.close();
  });
});

describe('disposables and shutdown', () => {
  it('disposes in reverse order, once, even when one fails', async () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.add(toDisposable(() => void order.push('a')));
    store.add(
      toDisposable(() => {
        order.push('b');
        throw new Error('b failed');
      }),
    );
    store.add(toDisposable(() => void order.push('c')));
    await expect(store.dispose()).rejects.toThrow('b failed');
    await store.dispose();
    expect(order).toEqual(['c', 'b', 'a']);
  });

  it('runs shutdown steps in reverse, each guarded', async () => {
    const order: string[] = [];
    const shutdown = createShutdown(testLogger(), 1000);
    shutdown.add('first', () => void order.push('first'));
    shutdown.add('broken', () => {
      throw new Error('x');
    });
    shutdown.add('last', async () => void order.push('last'));
    await Promise.all([shutdown.shutdown('test'), shutdown.shutdown('again')]);
    expect(order).toEqual(['last', 'first']);
    expect(shutdown.stopping).toBe(true);
  });
});
