import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { useTempDir } from '../testing/index.js';
import { notifySettingsFrom } from './settings.js';

describe('[notifications] settings', () => {
  it('default to no webhook, 30 an hour, a 60 s window, never quiet, the system zone', () => {
    const config = loadConfig({ home: useTempDir(), env: {} });
    expect(config.notifications).toEqual({
      webhook_url: '',
      webhook_format: 'json',
      webhook_timeout_ms: 5000,
      max_per_hour: 30,
      coalesce_seconds: 60,
      quiet_hours: '',
      time_zone: '',
      public_url: '',
      history_days: 30,
      vapid_subject: '',
    });
    expect(notifySettingsFrom(config)).toEqual({ maxPerHour: 30, coalesceMs: 60_000, quietHours: null, timeZone: undefined });
  });

  it('come from RDV_NOTIFICATIONS_* and flags, and bad values are named', () => {
    const env = { RDV_NOTIFICATIONS_WEBHOOK_URL: 'https://ntfy.sh/my-topic', RDV_NOTIFICATIONS_QUIET_HOURS: '22:00-07:00', RDV_NOTIFICATIONS_TIME_ZONE: 'Europe/Berlin' };
    const config = loadConfig({ home: useTempDir(), env, flags: { 'notifications.coalesce_seconds': '30' } });
    expect(config.notifications).toMatchObject({ webhook_url: 'https://ntfy.sh/my-topic', coalesce_seconds: 30 });
    expect(notifySettingsFrom(config)).toEqual({ maxPerHour: 30, coalesceMs: 30_000, quietHours: { startMin: 1320, endMin: 420 }, timeZone: 'Europe/Berlin' });
    const bad = (e: Record<string, string>) => () => loadConfig({ home: useTempDir(), env: e });
    expect(bad({ RDV_NOTIFICATIONS_WEBHOOK_URL: 'ftp://x' })).toThrow(/notifications\.webhook_url \(from RDV_NOTIFICATIONS_WEBHOOK_URL\)/);
    expect(bad({ RDV_NOTIFICATIONS_QUIET_HOURS: '10pm-7am' })).toThrow(/notifications\.quiet_hours.*HH:MM-HH:MM/);
    expect(bad({ RDV_NOTIFICATIONS_TIME_ZONE: 'Mars/Olympus' })).toThrow(/notifications\.time_zone/);
    expect(bad({ RDV_NOTIFICATIONS_VAPID_SUBJECT: 'me@example.com' })).toThrow(/vapid_subject/);
  });
});
