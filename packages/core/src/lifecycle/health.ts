/** What every service's GET /health reports about itself, before its own metrics. */
export interface BaseHealth {
  status: 'healthy' | 'degraded';
  version: string;
  uptimeSeconds: number;
  components: { database: boolean; tmux: boolean };
  tmuxSessions: number;
}

/**
 * Status, version, uptime and the two components every service needs (the database, as
 * pinged by the caller, and tmux, counted with `countTmuxSessions`); a tmux that cannot
 * run makes the service degraded instead of failing the check.
 */
export async function baseHealth(options: {
  version: string;
  startedAt: number;
  database: boolean;
  countTmuxSessions: () => Promise<number>;
}): Promise<BaseHealth> {
  let tmux = true;
  let tmuxSessions = 0;
  try {
    tmuxSessions = await options.countTmuxSessions();
  } catch {
    // tmux cannot be run: reported as an unhealthy component.
    tmux = false;
  }
  return {
    status: options.database && tmux ? 'healthy' : 'degraded',
    version: options.version,
    uptimeSeconds: Math.round((Date.now() - options.startedAt) / 1000),
    components: { database: options.database, tmux },
    tmuxSessions,
  };
}

/**
 * A count that is expensive to take (a tmux client spawned per call, slower the more
 * sessions there are), kept for `maxAgeMs` so a health check stays cheap however often it
 * is polled: a fresh value is returned as it is; an older one is returned at once while one
 * refresh runs behind it; only the very first call waits. A failed count is remembered the
 * same way (it rejects), so a tmux that cannot run still shows as unhealthy.
 */
export function cachedCount(count: () => Promise<number>, maxAgeMs: number): () => Promise<number> {
  let last: { at: number; value: Promise<number> } | null = null;
  let refreshing: Promise<number> | null = null;
  const refresh = () => {
    if (!refreshing) {
      const value = count();
      refreshing = value;
      // Settled either way: the next refresh may start, and this result is the cached one.
      const settle = () => {
        last = { at: Date.now(), value };
        refreshing = null;
      };
      value.then(settle, settle);
    }
    return refreshing;
  };
  return () => {
    if (!last) return refresh();
    if (Date.now() - last.at > maxAgeMs) void refresh().catch(() => undefined);
    return last.value;
  };
}
