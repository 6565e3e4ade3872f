import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../testing/index.js';
import { migrateDb, openDb } from './index.js';

describe('openDb', () => {
  it('uses WAL, a busy timeout and foreign keys, and migrates idempotently', () => {
    const path = join(useTempDir(), 'x.db');
    migrateDb(path);
    migrateDb(path);
    const h = openDb({ path, busyTimeoutMs: 1234 });
    expect(h.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(h.sqlite.pragma('busy_timeout', { simple: true })).toBe(1234);
    expect(h.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = h.sqlite.prepare("select name from sqlite_master where type='table'").all().map((r) => (r as { name: string }).name);
    expect(tables).toEqual(
      expect.arrayContaining(['users', 'tokens', 'folders', 'sessions', 'worktrees', 'orchestrators', 'insights', 'audit_log', 'preferences', 'trash', 'events', 'login_links', 'push_subscriptions', 'notifications', 'action_tokens']),
    );
    expect(h.ping()).toBe(true);
    h.dispose();
    h.dispose();
    expect(h.ping()).toBe(false);
  });
});
