import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Fields that may carry a secret; pino replaces them with "[redacted]". */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'cookie',
  '*.cookie',
  'headers.authorization',
  'headers.cookie',
  'headers["x-rdv-service-token"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-rdv-service-token"]',
  'serviceToken',
  '*.serviceToken',
  'apiKey',
  '*.apiKey',
];

export interface CreateLoggerOptions {
  level?: string;
  name?: string;
  /** Also append JSON lines to this file (created 0600). */
  file?: string;
  /** Write to this stream instead of stdout (tests). */
  stream?: NodeJS.WritableStream;
}

/** The root logger of a process; pass it down and use `log.child({ component })`. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const streams: pino.StreamEntry[] = [{ stream: options.stream ?? process.stdout }];
  if (options.file) {
    mkdirSync(dirname(options.file), { recursive: true, mode: 0o700 });
    streams.push({ stream: createWriteStream(options.file, { flags: 'a', mode: 0o600 }) });
  }
  return pino(
    {
      level: options.level ?? 'info',
      name: options.name,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
    },
    pino.multistream(streams),
  );
}

/** A logger that drops everything (tests, and the CLI when quiet). */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
