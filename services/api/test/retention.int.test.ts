// Audit rows and ended sign-ins are pruned after their retention (audit: configurable, 90 days by default).
import { join } from 'node:path';
import { ConfigSchema, loadConfig } from '@rdv/core/config';
import { migrateDb, openDb } from '@rdv/core/db';
import { createShutdown } from '@rdv/core/lifecycle';
import { createSilentLogger } from '@rdv/core/log';
import { useRdvEnv } from '@rdv/core/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startApi } from '../src/server.js';

const DAY = 86_400_000;

describe('retention', () => {
  it('keeps audit rows 90 days by default', () => {
    expect(ConfigSchema.parse({}).cleanup.audit_retention_days).toBe(90);
  });

  it('prunes audit rows older than cleanup.audit_retention_days at start, and keeps the rest', async () => {
    const { home, env } = useRdvEnv('test', { prefix: 'rdv-ret-', env: { RDV_LOG_LEVEL: 'silent', RDV_CLEANUP_AUDIT_RETENTION_DAYS: '30' } });
    const config = loadConfig({ env });
    migrateDb(config.paths.db);
    const seed = openDb({ path: config.paths.db });
    const insert = seed.sqlite.prepare("insert into audit_log (at, action, outcome, detail) values (?, ?, 'ok', null)");
    insert.run(Date.now() - 100 * DAY, 'ancient');
    insert.run(Date.now() - 31 * DAY, 'old');
    insert.run(Date.now() - 29 * DAY, 'recent');
    seed.dispose();

    const shutdown = createShutdown(createSilentLogger(), 5000);
    onTestFinished(() => shutdown.shutdown('test done'));
    await startApi(config, createSilentLogger(), shutdown);
    const db = openDb({ path: join(home, 'sqlite.db'), readonly: true });
    const actions = db.sqlite.prepare("select action from audit_log where action in ('ancient', 'old', 'recent')").all().map((r) => (r as { action: string }).action);
    db.dispose();
    expect(actions).toEqual(['recent']);
  });
});
