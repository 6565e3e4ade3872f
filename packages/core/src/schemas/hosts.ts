import { z } from 'zod';
import { AbsolutePathSchema, CONTROL_CHARS, IdSchema, NameSchema, TimestampSchema } from './common.js';

// Hosts: other machines running rdv, joined over OpenSSH. Browser-safe.

export const HOST_STATES = ['connecting', 'connected', 'unreachable', 'unauthorized'] as const;
export const HostStateSchema = z.enum(HOST_STATES);
export type HostState = z.infer<typeof HostStateSchema>;

const DESTINATION = /^(?:[A-Za-z0-9._][A-Za-z0-9._-]*@)?[A-Za-z0-9_[\]:.][A-Za-z0-9._:%[\]-]*$/;
/** `ssh://[user@]host[:port]`: a destination with its port (split apart when a host is stored). */
export const SSH_URL = /^ssh:\/\/((?:[A-Za-z0-9._][A-Za-z0-9._-]*@)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.][A-Za-z0-9._%-]*))(?::(\d{1,5}))?\/?$/;

/**
 * An ssh destination, `host`, `user@host` or `ssh://user@host:port`: what reaches ssh's argv
 * after `--`, so it may not start with "-" and holds no spaces, quotes or control characters.
 */
export const SshDestinationSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(255, 'is too long')
  .refine((d) => DESTINATION.test(d) || SSH_URL.test(d), 'must be host, user@host or ssh://user@host:port (letters, digits, . _ - : and [ ] for IPv6)')
  .refine((d) => !d.startsWith('-') && !CONTROL_CHARS.test(d), 'must not start with "-"');

/** A CLI token of the host's owner: what `rdv token create` prints (never returned by rdv). */
export const HostTokenSchema = z
  .string()
  .trim()
  .min(16, 'is too short to be an rdv token')
  .max(512, 'is too long')
  .regex(/^[A-Za-z0-9_.~+/=-]+$/, 'must be the token exactly as rdv printed it');

export const HostSchema = z.object({
  id: IdSchema,
  name: z.string(),
  destination: z.string(),
  port: z.number().int().nullable(),
  identityFile: z.string().nullable(),
  knownHostsFile: z.string().nullable(),
  remoteHome: z.string().nullable(),
  state: HostStateSchema,
  /** Round trip of the host's /health through the link, in milliseconds (while connected). */
  latencyMs: z.number().nullable(),
  lastError: z.string().nullable(),
  /** The rdv version the host reports (from its /health). */
  version: z.string().nullable(),
  /** False when the host runs another rdv version than this one (it is used all the same). */
  versionMatches: z.boolean().nullable(),
  lastConnectedAt: TimestampSchema.nullable(),
  createdAt: TimestampSchema,
});
export type Host = z.infer<typeof HostSchema>;

export const CreateHostSchema = z
  .object({
    name: NameSchema,
    destination: SshDestinationSchema,
    port: z.number().int().min(1).max(65535).optional(),
    identityFile: AbsolutePathSchema.optional(),
    knownHostsFile: AbsolutePathSchema.optional(),
    remoteHome: AbsolutePathSchema.optional(),
    token: HostTokenSchema,
  })
  .strict();
export type CreateHost = z.infer<typeof CreateHostSchema>;

/** Which host a session lives on, as lists carry it; null on a session of this machine. */
export const HostRefSchema = z.object({ id: IdSchema, name: z.string(), state: HostStateSchema });
export type HostRef = z.infer<typeof HostRefSchema>;

/**
 * `?host=` on routes that reach other machines: `local` (this machine, the default), `all`
 * (lists only: every host merged) or a host's id or name.
 */
export const HostParamSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .describe('local (default), all (lists: every host), or a host id or name');
