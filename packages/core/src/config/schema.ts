import { z } from 'zod';

const bool = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']).transform((v) => ['true', '1', 'yes', 'on'].includes(v)),
]);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z.union([
  z.array(z.string()),
  z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
]);
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** "HH:MM-HH:MM" in 24-hour time; the range may wrap past midnight. */
export const QUIET_HOURS = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;
const isTimeZone = (zone: string) => {
  if (zone === '') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    // Intl throws RangeError for a zone it does not know: that is the answer.
    return false;
  }
};

/**
 * Every setting rdv reads, with its default. Keys are snake_case as in config.toml;
 * the environment variable for `section.key` is `RDV_SECTION_KEY` (top level: `RDV_KEY`).
 * config/config.toml documents each one.
 */
export const ConfigSchema = z
  .object({
    owner_email: z.email().or(z.literal('')).default(''),
    log: z.object({ level: z.enum(LOG_LEVELS).default('info') }).strict().prefault({}),
    tmux: z
      .object({
        socket: z
          .string()
          .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, dot, dash or underscore')
          .default('rdv'),
        config_file: z.string().default(''),
        history_limit: int(100, 1_000_000).default(50_000),
      })
      .strict()
      .prefault({}),
    database: z
      .object({
        path: z.string().default(''),
        busy_timeout_ms: int(0, 600_000).default(5000),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        service_token_rotation_days: int(0, 3650).default(30),
        service_token_grace_seconds: int(0, 86_400).default(300),
        cli_token_expiry_days: int(0, 3650).default(0),
        login_session_idle_hours: int(1, 8760).default(12),
        login_session_max_days: int(1, 3650).default(30),
      })
      .strict()
      .prefault({}),
    rate_limit: z
      .object({
        requests_per_minute: int(1, 1_000_000).default(1200),
        sensitive_per_minute: int(1, 1_000_000).default(120),
        auth_failures_per_minute: int(1, 10_000).default(30),
        event_streams_per_user: int(1, 10_000).default(32),
        terminals_per_user: int(1, 10_000).default(64),
      })
      .strict()
      .prefault({}),
    sessions: z
      .object({
        shell: z.string().default(''),
        default_cwd: z.string().default(''),
        reconcile_interval_ms: int(250, 3_600_000).default(5000),
        log_max_bytes: int(65_536, 1 << 30).default(10 * 1024 * 1024),
        restore: z.enum(['all', 'agents', 'off']).default('all'),
        stop_timeout_seconds: int(0, 600).default(5),
      })
      .strict()
      .prefault({}),
    terminal: z
      .object({
        keepalive_interval_seconds: int(1, 3600).default(30),
        keepalive_timeout_seconds: int(2, 86_400).default(90),
        high_watermark_kb: int(16, 1_048_576).default(1024),
        low_watermark_kb: int(0, 1_048_576).default(128),
        stall_kb: int(16, 1_048_576).default(2048),
        pending_input_kb: int(1, 1_048_576).default(256),
      })
      .strict()
      .superRefine((t, ctx) => {
        if (t.low_watermark_kb >= t.high_watermark_kb) {
          ctx.addIssue({ code: 'custom', path: ['low_watermark_kb'], message: `must be below high_watermark_kb (${t.high_watermark_kb})` });
        }
        if (t.keepalive_timeout_seconds <= t.keepalive_interval_seconds) {
          ctx.addIssue({
            code: 'custom',
            path: ['keepalive_timeout_seconds'],
            message: `must be longer than keepalive_interval_seconds (${t.keepalive_interval_seconds})`,
          });
        }
      })
      .prefault({}),
    hosts: z
      .object({
        ssh: z.string().default('ssh'),
        keepalive_seconds: int(1, 3600).default(10),
        keepalive_count: int(1, 100).default(3),
        probe_interval_seconds: int(1, 3600).default(10),
        reconnect_max_seconds: int(1, 3600).default(30),
        connect_timeout_seconds: int(1, 600).default(20),
      })
      .strict()
      .prefault({}),
    web: z
      .object({
        listen: z.string().default('127.0.0.1:6001'),
      })
      .strict()
      .prefault({}),
    cloudflare: z
      .object({
        team_domain: z.string().default(''),
        aud: z.string().default(''),
        certs_url: z.string().default(''),
        allowed_emails: list.default([]),
      })
      .strict()
      .prefault({}),
    monitoring: z
      .object({
        interval_seconds: int(1, 86_400).default(30),
        stall_threshold_seconds: int(1, 864_000).default(300),
      })
      .strict()
      .prefault({}),
    worktrees: z
      .object({
        root: z.string().default(''),
        stale_days: int(1, 3650).default(14),
      })
      .strict()
      .prefault({}),
    cleanup: z
      .object({
        trash_retention_days: int(0, 3650).default(30),
        audit_retention_days: int(1, 36_500).default(90),
        interval_hours: int(1, 8760).default(24),
      })
      .strict()
      .prefault({}),
    events: z
      .object({
        retention_hours: int(1, 8760).default(24),
      })
      .strict()
      .prefault({}),
    notifications: z
      .object({
        webhook_url: z
          .union([z.literal(''), z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' })])
          .default(''),
        webhook_format: z.enum(['json', 'slack', 'discord', 'ntfy']).default('json'),
        webhook_timeout_ms: int(100, 60_000).default(5000),
        max_per_hour: int(1, 10_000).default(30),
        coalesce_seconds: int(0, 86_400).default(60),
        quiet_hours: z
          .string()
          .regex(QUIET_HOURS, 'must be "HH:MM-HH:MM", e.g. "22:00-07:00", or ""')
          .or(z.literal(''))
          .default(''),
        time_zone: z.string().refine(isTimeZone, 'must be an IANA time zone such as "Europe/Berlin", or ""').default(''),
        public_url: z.union([z.literal(''), z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' })]).default(''),
        history_days: int(1, 3650).default(30),
        vapid_subject: z
          .string()
          .regex(/^(mailto:\S+@\S+|https:\/\/\S+)$/, 'must be a mailto: or https: URL')
          .or(z.literal(''))
          .default(''),
      })
      .strict()
      .prefault({}),
    shutdown: z
      .object({
        deadline_ms: int(100, 120_000).default(5000),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type ConfigFile = z.infer<typeof ConfigSchema>;

/** Environment names that are not the plain RDV_SECTION_KEY form. */
export const ENV_ALIASES: Record<string, string> = {
  RDV_CF_TEAM_DOMAIN: 'cloudflare.team_domain',
  RDV_CF_AUD: 'cloudflare.aud',
  RDV_CF_CERTS_URL: 'cloudflare.certs_url',
  RDV_ALLOWED_EMAILS: 'cloudflare.allowed_emails',
  RDV_LOG_LEVEL: 'log.level',
  RDV_DB_PATH: 'database.path',
  RDV_SHELL: 'sessions.shell',
};

export { bool as BoolSchema };
