import { z } from 'zod';
import { ERROR_CODES } from '../errors/index.js';

/** Control characters (C0 except tab, DEL, C1) never belong in names, commands or text for a terminal. */
export const CONTROL_CHARS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;

export const IdSchema = z.uuid({ message: 'must be an id (a UUID)' });
export type Id = z.infer<typeof IdSchema>;

const NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} ._\-+#@:()[\]]*$/u;

/** A display name: starts with a letter or digit; no slashes, quotes, shell or control characters. */
export const NameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(
    NAME_PATTERN,
    'must start with a letter or digit and contain only letters, digits, spaces and . _ - + # @ : ( ) [ ]',
  );

/** An absolute filesystem path without NUL bytes or control characters. */
export const AbsolutePathSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(4096, 'is too long')
  .refine((p) => p.startsWith('/'), 'must be an absolute path')
  .refine((p) => !CONTROL_CHARS.test(p) && !p.includes('\u0000'), 'must not contain control characters');

export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Environment variables for sessions. RDV_* and TMUX* names are reserved. */
export const EnvSchema = z
  .record(
    z.string().regex(ENV_NAME_PATTERN, 'environment variable names are letters, digits and _'),
    z.string().max(8192).refine((v) => !v.includes('\u0000'), 'must not contain NUL'),
  )
  .refine((env) => Object.keys(env).length <= 100, 'at most 100 environment variables')
  .refine(
    (env) => Object.keys(env).every((k) => !/^(RDV_|TMUX)/.test(k)),
    'RDV_* and TMUX* variables are reserved',
  );
export type Env = z.infer<typeof EnvSchema>;

export const AGENTS = ['claude', 'codex', 'gemini', 'opencode', 'custom'] as const;
export const AgentSchema = z.enum(AGENTS);
export type Agent = z.infer<typeof AgentSchema>;

/** A command line typed into a session's shell: one line, no control characters. */
export const CommandLineSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(8192, 'must be at most 8192 characters')
  .refine((c) => !CONTROL_CHARS.test(c), 'must be a single line without control characters');

export const TimestampSchema = z.string().describe('ISO 8601 timestamp');

export const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/** `{ error: { code, message } }`: how every rdv service answers a failure. */
export const ErrorBodySchema = z.object({
  error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }),
});
