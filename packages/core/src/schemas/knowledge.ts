import { z } from 'zod';
import { CONTROL_CHARS, IdSchema, TimestampSchema } from './common.js';

// ---- folder knowledge ----

/** Markdown text: any characters but NUL (newlines and tabs are the point). */
const markdown = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !v.includes('\u0000'), 'must not contain NUL');

export const KnowledgeTitleSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .refine((v) => !CONTROL_CHARS.test(v), 'must be one line without control characters');

export const KnowledgeBodySchema = markdown(65_536);

export const TagSchema = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N}._\-+#/]*$/u, 'a tag is a word: letters, digits and . _ - + # /');
export const TagsSchema = z
  .array(TagSchema)
  .max(20, 'at most 20 tags')
  .transform((tags) => [...new Set(tags.map((t) => t.toLowerCase()))]);

/** Who wrote an entry: a person (the user) or one of their sessions (an agent). */
export const KnowledgeAuthorSchema = z.object({
  kind: z.enum(['user', 'session']),
  /** The user's email or name, or the session's name. */
  name: z.string(),
  sessionId: IdSchema.nullable(),
});
export type KnowledgeAuthor = z.infer<typeof KnowledgeAuthorSchema>;

export const KnowledgeEntrySchema = z.object({
  id: IdSchema,
  folderId: IdSchema,
  /** The folder's name (entries inherited from an ancestor say where they come from). */
  folderName: z.string(),
  title: z.string(),
  body: z.string(),
  tags: z.array(z.string()),
  author: KnowledgeAuthorSchema,
  /** True when the entry belongs to an ancestor of the folder asked about. */
  inherited: z.boolean(),
  /** Accepted from a proposal: which one, and the session it was drawn from. */
  source: z.object({ proposalId: IdSchema, sessionId: IdSchema.nullable(), sessionName: z.string().nullable() }).nullable(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type KnowledgeEntry = z.infer<typeof KnowledgeEntrySchema>;

export const CreateKnowledgeSchema = z
  .object({
    title: KnowledgeTitleSchema,
    body: KnowledgeBodySchema.default(''),
    tags: TagsSchema.default([]),
    /** Written by this session (one of the caller's) instead of the caller in person. */
    sessionId: IdSchema.optional(),
  })
  .strict();
export type CreateKnowledge = z.output<typeof CreateKnowledgeSchema>;

export const UpdateKnowledgeSchema = z
  .object({ title: KnowledgeTitleSchema.optional(), body: KnowledgeBodySchema.optional(), tags: TagsSchema.optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');
export type UpdateKnowledge = z.output<typeof UpdateKnowledgeSchema>;

export const ListKnowledgeQuerySchema = z
  .object({
    /** Only the folder's own entries, not its ancestors'. */
    own: z.enum(['true', 'false']).optional(),
    tag: TagSchema.optional(),
  })
  .strict();

export const SearchKnowledgeQuerySchema = z
  .object({
    q: z.string().trim().min(1, 'say what to search for').max(500),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

export const KnowledgeHitSchema = z.object({
  entry: KnowledgeEntrySchema,
  /** bm25 rank: lower is a better match. */
  rank: z.number(),
  /** Text around the match; matched words are wrapped in ** **. */
  snippet: z.string(),
});
export type KnowledgeHit = z.infer<typeof KnowledgeHitSchema>;

export const KnowledgeDocumentQuerySchema = z
  .object({ maxChars: z.coerce.number().int().min(200).max(200_000).optional() })
  .strict();

/** A folder chain's knowledge as one markdown document (what an agent reads first). */
export const KnowledgeDocumentSchema = z.object({
  folderId: IdSchema,
  markdown: z.string(),
  entries: z.number().int(),
  /** True when the document was cut to the size cap; `markdown` says so at its end. */
  truncated: z.boolean(),
});
export type KnowledgeDocument = z.infer<typeof KnowledgeDocumentSchema>;

// ---- notes on a session ----

export const SessionNoteSchema = z.object({
  id: IdSchema,
  sessionId: IdSchema,
  body: z.string(),
  createdAt: TimestampSchema,
});
export type SessionNote = z.infer<typeof SessionNoteSchema>;

export const CreateSessionNoteSchema = z.object({ body: markdown(16_384).pipe(z.string().trim().min(1, 'must not be empty')) }).strict();

// ---- learnings: proposed entries a person accepts or dismisses ----

export const PROPOSAL_KINDS = ['error_fix', 'unblock', 'direct'] as const;
export const PROPOSAL_STATUSES = ['proposed', 'accepted', 'dismissed'] as const;

/** A proposed knowledge entry: drawn from a session's log (or proposed by an agent); folder knowledge only once a person accepts it. */
export const KnowledgeProposalSchema = z.object({
  id: IdSchema,
  folderId: IdSchema,
  sessionId: IdSchema.nullable(),
  sessionName: z.string().nullable(),
  /** error_fix: an error and the command that worked after it; unblock: what a person typed to a waiting agent; direct: proposed as it is, by an agent (knowledge_propose) or a person. */
  kind: z.enum(PROPOSAL_KINDS),
  title: z.string(),
  body: z.string(),
  /** The log lines (or the input) it was drawn from, as plain text: show it escaped. */
  evidence: z.string(),
  status: z.enum(PROPOSAL_STATUSES),
  /** The knowledge entry it became, once accepted. */
  entryId: IdSchema.nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: TimestampSchema.nullable(),
  createdAt: TimestampSchema,
});
export type KnowledgeProposal = z.infer<typeof KnowledgeProposalSchema>;

export const ListProposalsQuerySchema = z
  .object({
    status: z.enum([...PROPOSAL_STATUSES, 'all']).default('proposed'),
    folderId: IdSchema.optional(),
    sessionId: IdSchema.optional(),
  })
  .strict();

export const CreateProposalSchema = z
  .object({
    title: KnowledgeTitleSchema,
    body: KnowledgeBodySchema.default(''),
    evidence: markdown(8_192).default(''),
    /** The caller's session it comes from (an agent proposing from inside rdv). */
    sessionId: IdSchema.optional(),
  })
  .strict();
export type CreateProposal = z.output<typeof CreateProposalSchema>;

/** Accepting: optionally with the title, body or tags edited first. */
export const AcceptProposalSchema = z
  .object({ title: KnowledgeTitleSchema.optional(), body: KnowledgeBodySchema.optional(), tags: TagsSchema.optional() })
  .strict();
export type AcceptProposal = z.output<typeof AcceptProposalSchema>;

export const AcceptedProposalSchema = z.object({ proposal: KnowledgeProposalSchema, entry: KnowledgeEntrySchema });

/** What an extraction over a session's log found: the new proposals, and how many were already proposed before. */
export const ExtractResultSchema = z.object({
  sessionId: IdSchema,
  folderId: IdSchema,
  proposed: z.array(KnowledgeProposalSchema),
  alreadyProposed: z.number().int(),
});
export type ExtractResult = z.infer<typeof ExtractResultSchema>;
