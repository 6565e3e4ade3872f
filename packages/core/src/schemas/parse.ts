import type { z } from 'zod';
import { AppError } from '../errors/index.js';

/** "name: must not be empty; cwd: must be an absolute path" — one readable line for people. */
export function formatZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const where = issue.path.length ? issue.path.join('.') : '';
      let message = issue.message;
      if (issue.code === 'unrecognized_keys') message = `unknown field(s): ${issue.keys.join(', ')}`;
      return where ? `${where}: ${message}` : message;
    })
    .join('; ');
}

/** Parses `value` or throws AppError(invalid_input) naming what was wrong (`what` prefixes the message). */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, what?: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const detail = formatZodError(result.error);
  throw new AppError('invalid_input', what ? `${what}: ${detail}` : detail);
}
