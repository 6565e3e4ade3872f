import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, writeVersion, type DbHandle } from './index.js';

describe('writeVersion', () => {
  const opened: DbHandle[] = [];
  let dir = '';
  afterEach(() => {
    for (const h of opened.splice(0)) h.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stays while nothing is written and moves with writes of this connection and of another', () => {
    dir = mkdtempSync(join(tmpdir(), 'rdv-wv-'));
    const path = join(dir, 'v.db');
    const a = openDb({ path, migrate: true });
    const b = openDb({ path });
    opened.push(a, b);
    const version = writeVersion(a);
    const v0 = version();
    a.sqlite.prepare('SELECT count(*) FROM users').get();
    expect(version()).toBe(v0);
    a.sqlite.exec('CREATE TABLE IF NOT EXISTS t (x)');
    a.sqlite.prepare('INSERT INTO t VALUES (1)').run();
    const v1 = version();
    expect(v1).not.toBe(v0);
    b.sqlite.exec('CREATE TABLE IF NOT EXISTS t (x)');
    b.sqlite.prepare('INSERT INTO t VALUES (2)').run();
    expect(version()).not.toBe(v1);
  });
});
