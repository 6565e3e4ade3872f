import { z } from 'zod';
import { AgentSchema, IdSchema, TimestampSchema } from './common.js';
import { SessionKindSchema, SessionStatusSchema } from './api.js';

// ---- a session's output log ----

/** The most bytes one page of output may hold (16 MiB). */
export const MAX_OUTPUT_PAGE_BYTES = 16 * 1024 * 1024;

/**
 * GET /api/sessions/:id/output. `tail` gives the last N lines; otherwise `from` (an
 * absolute byte offset, default the oldest kept) and `limit` (bytes) page through the log.
 */
export const OutputQuerySchema = z
  .object({
    format: z.enum(['text', 'raw']).default('text'),
    tail: z.coerce.number().int().min(1).max(1_000_000).optional(),
    from: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_OUTPUT_PAGE_BYTES).optional(),
  })
  .strict()
  .refine((v) => v.tail === undefined || v.from === undefined, 'give tail or from, not both');
export type OutputQuery = z.infer<typeof OutputQuerySchema>;

/** Where a page sits in the log; a raw page carries the same fields as X-Output-* headers. */
export const OutputRangeSchema = z.object({
  /** Absolute offsets of the bytes returned: [start, end). Ask `from=end` for the next page. */
  start: z.number().int(),
  end: z.number().int(),
  /** What the log keeps: [logStart, logEnd); older bytes were rotated away. */
  logStart: z.number().int(),
  logEnd: z.number().int(),
  /** More bytes follow `end`. */
  more: z.boolean(),
});
export type OutputRange = z.infer<typeof OutputRangeSchema>;

export const OutputTextSchema = OutputRangeSchema.extend({
  sessionId: IdSchema,
  format: z.literal('text'),
  /** The output as a terminal showed it: escape sequences stripped, \r and backspace applied. */
  text: z.string(),
});
export type OutputText = z.infer<typeof OutputTextSchema>;

/** The headers of a raw page (application/octet-stream), lower-case as Node gives them. */
export const OUTPUT_HEADERS = {
  start: 'x-output-start',
  end: 'x-output-end',
  logStart: 'x-output-log-start',
  logEnd: 'x-output-log-end',
  more: 'x-output-more',
} as const;

// ---- search across sessions ----

export const SearchQuerySchema = z
  .object({
    q: z.string().trim().min(1, 'type something to search for').max(500),
    sessionId: IdSchema.optional(),
    folderId: IdSchema.optional(),
    since: z.iso.datetime({ offset: true }).optional().describe('only output written at or after this time (ISO 8601)'),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    perSession: z.coerce.number().int().min(1).max(50).default(3),
  })
  .strict();
export type SearchQuery = z.infer<typeof SearchQuerySchema>;

export const SearchMatchSchema = z.object({
  /** Absolute byte offset of the matching line (GET …/output?from=offset shows it). */
  offset: z.number().int(),
  /** The matching line, cut around the match with "…" when long. */
  snippet: z.string(),
  /** [start, end) of each matched word in the snippet (UTF-16 indices). */
  highlights: z.array(z.tuple([z.number().int(), z.number().int()])),
  writtenAt: TimestampSchema,
});
export type SearchMatch = z.infer<typeof SearchMatchSchema>;

export const SearchHitSchema = z.object({
  sessionId: IdSchema,
  name: z.string(),
  status: SessionStatusSchema,
  folderId: IdSchema.nullable(),
  /** bm25 of the session's best match: lower is better. */
  score: z.number(),
  matches: z.array(SearchMatchSchema),
});
export type SearchHit = z.infer<typeof SearchHitSchema>;

export const SearchResultSchema = z.object({ q: z.string(), items: z.array(SearchHitSchema) });
export type SearchResult = z.infer<typeof SearchResultSchema>;

// ---- bringing lost sessions back ----

export const RESTORE_POLICIES = ['all', 'agents', 'off'] as const;
export const RestorePolicySchema = z.enum(RESTORE_POLICIES);
export type RestorePolicy = z.infer<typeof RestorePolicySchema>;

export const RestoreRequestSchema = z
  .object({
    /** Only these sessions (default: every lost one). */
    ids: z.array(IdSchema).min(1).max(1000).optional(),
    /** Say what would come back, change nothing. */
    dryRun: z.boolean().default(false),
  })
  .strict();
export type RestoreRequest = z.infer<typeof RestoreRequestSchema>;

/** How a lost session comes back: an agent resuming its conversation, its command run again, or its shell. */
export const RestoreActionSchema = z.enum(['resume', 'rerun', 'shell']);
export type RestoreAction = z.infer<typeof RestoreActionSchema>;

export const RestorePlanItemSchema = z.object({
  sessionId: IdSchema,
  name: z.string(),
  kind: SessionKindSchema,
  agent: AgentSchema.nullable(),
  cwd: z.string(),
  action: RestoreActionSchema,
  /** The command line typed into the new shell (null for a shell). */
  command: z.string().nullable(),
  /** The agent's own conversation id it resumes, and where it was found. */
  agentSessionId: z.string().nullable(),
  idSource: z.enum(['hooks', 'log']).nullable(),
  /** Whether it came back (or, in a dry run, would): false with `reason` when it cannot. */
  restored: z.boolean(),
  reason: z.string().nullable(),
});
export type RestorePlanItem = z.infer<typeof RestorePlanItemSchema>;

export const RestoreResultSchema = z.object({ dryRun: z.boolean(), items: z.array(RestorePlanItemSchema) });
export type RestoreResult = z.infer<typeof RestoreResultSchema>;
