import type { RdvConfig } from '../config/index.js';
import type { DispatchSettings } from './dispatcher.js';
import { parseQuietHours } from './quiet-hours.js';

/** The dispatcher's settings from `[notifications]` (already validated by the config schema). */
export function notifySettingsFrom(config: Pick<RdvConfig, 'notifications'>): DispatchSettings {
  const n = config.notifications;
  return {
    maxPerHour: n.max_per_hour,
    coalesceMs: n.coalesce_seconds * 1000,
    quietHours: parseQuietHours(n.quiet_hours),
    timeZone: n.time_zone || undefined,
  };
}
