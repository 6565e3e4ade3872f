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
