import { z } from 'zod';
import { IdSchema, NameSchema, TimestampSchema } from './common.js';

// ---- folder hooks ----

/** A folder's session events a hook can run on. */
export const HOOK_EVENTS = ['created', 'waiting_for_input', 'stalled', 'turn_finished', 'closed'] as const;
export const HookEventSchema = z.enum(HOOK_EVENTS);
export type HookEvent = z.infer<typeof HookEventSchema>;

/** A program and its arguments, run as they are: no shell unless argv says `sh -c`. */
export const HookArgvSchema = z
  .array(
    z
      .string()
      .max(4096, 'an argument is at most 4096 characters')
      .refine((a) => !a.includes('\u0000'), 'must not contain NUL'),
  )
  .min(1, 'say which program to run')
  .max(64, 'at most 64 arguments')
  .refine((argv) => (argv[0] ?? '').trim() !== '', 'the program (argv[0]) must not be empty');

const TimeoutSchema = z.number().int().min(1000).max(600_000).describe('milliseconds; 1000 to 600000');
const EventsSchema = z
  .array(HookEventSchema)
  .min(1, 'say which events it runs on')
  .transform((e) => [...new Set(e)]);

export const FolderHookSchema = z.object({
  id: IdSchema,
  folderId: IdSchema,
  folderName: z.string(),
  name: z.string(),
  events: z.array(HookEventSchema),
  argv: z.array(z.string()),
  timeoutMs: z.number().int(),
  enabled: z.boolean(),
  /** True when the hook belongs to an ancestor of the folder asked about (it runs here too). */
  inherited: z.boolean(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type FolderHook = z.infer<typeof FolderHookSchema>;

export const CreateFolderHookSchema = z
  .object({
    name: NameSchema,
    events: EventsSchema,
    argv: HookArgvSchema,
    timeoutMs: TimeoutSchema.default(30_000),
    enabled: z.boolean().default(true),
  })
  .strict();
export type CreateFolderHook = z.output<typeof CreateFolderHookSchema>;

export const UpdateFolderHookSchema = z
  .object({
    name: NameSchema.optional(),
    events: EventsSchema.optional(),
    argv: HookArgvSchema.optional(),
    timeoutMs: TimeoutSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');
export type UpdateFolderHook = z.output<typeof UpdateFolderHookSchema>;

export const HookRunSchema = z.object({
  id: IdSchema,
  hookId: IdSchema,
  sessionId: IdSchema.nullable(),
  event: HookEventSchema,
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  timedOut: z.boolean(),
  /** Why it did not start (no such program, no cwd), when it did not. */
  error: z.string().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  startedAt: TimestampSchema,
  durationMs: z.number().int(),
});
export type HookRun = z.infer<typeof HookRunSchema>;

export const ListHookRunsQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) }).strict();
