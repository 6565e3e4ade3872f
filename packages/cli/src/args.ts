import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { formatZodError } from '@rdv/core/schemas';
import { UsageError } from './errors.js';

/**
 * Parses flags/arguments with a zod schema; failures are usage errors (exit 2). `labels`
 * renames fields to the flags people typed (`{ expiresInDays: '--expires-in-days' }`).
 */
export function parseArgs<T extends z.ZodType>(schema: T, value: unknown, what?: string, labels: Record<string, string> = {}): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  let detail = formatZodError(result.error);
  for (const [field, label] of Object.entries(labels)) detail = detail.replace(new RegExp(`(^|; )${field}([.:])`, 'g'), `$1${label}$2`);
  throw new UsageError(what ? `${what}: ${detail}` : detail);
}

/** A path flag: relative paths are taken from the current directory. */
export const PathArgSchema = z
  .string()
  .min(1, 'must not be empty')
  .transform((p) => resolve(p));

/** A positive whole number given as a flag. */
export const countArg = (max: number) => z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1).max(max);

/** on/off, yes/no, true/false, 1/0 → boolean. */
export const BoolArgSchema = z
  .enum(['on', 'off', 'yes', 'no', 'true', 'false', '1', '0'], { message: 'must be on or off' })
  .transform((v) => ['on', 'yes', 'true', '1'].includes(v));

/** KEY=VALUE pairs (repeatable --env) → an object. */
export function parseEnvPairs(pairs: string[] | undefined): Record<string, string> | undefined {
  if (!pairs?.length) return undefined;
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env ${pair}: expected KEY=VALUE`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** Commander helper for repeatable options. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** "none", "-", "root" or "" mean "no folder" (the top level). */
export const isNoFolder = (ref: string) => ['none', '-', 'root', ''].includes(ref.trim().toLowerCase());

/** Adds a teaching "Examples:" block to a command's help. */
export function examples(cmd: Command, lines: string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
}
