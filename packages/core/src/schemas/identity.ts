import { z } from 'zod';
import { IdSchema, TimestampSchema } from './common.js';
import { parseRepositoryUrl } from './repository-url.js';
import { BranchSchema } from './worktree.js';

// ---- identities ----
export const IdentitySchema = z.object({
  id: IdSchema,
  name: z.string().describe('the author name commits carry'),
  email: z.string().describe('the author email commits carry'),
  publicKey: z.string().describe('the OpenSSH public key, to paste into GitHub, GitLab or authorized_keys'),
  fingerprint: z.string().describe('SHA256 fingerprint of the key'),
  isDefault: z.boolean().describe('the user default'),
  defaultForFolders: z.array(IdSchema).describe('folders that name it as their default'),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type Identity = z.infer<typeof IdentitySchema>;

/** A git author name: one line, no angle brackets (git would cut the name there). */
export const AuthorNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(128, 'is too long')
  .refine((v) => !/[<>\n\r\u0000-\u001f]/.test(v), 'must be one line without < or >');
export const AuthorEmailSchema = z.string().trim().max(254, 'is too long').email('must be an email address');

/** An OpenSSH or PEM private key, as text. */
export const PrivateKeySchema = z
  .string()
  .min(64, 'is not a private key')
  .max(16_384, 'is too long for a private key')
  .refine((k) => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(k), 'is not a private key (expected -----BEGIN … PRIVATE KEY-----)');

export const CreateIdentitySchema = z
  .object({
    name: AuthorNameSchema,
    email: AuthorEmailSchema,
    generate: z.boolean().optional().describe('make a new Ed25519 key'),
    privateKey: PrivateKeySchema.optional().describe('import this key (no passphrase); never returned'),
    makeDefault: z.boolean().default(false).describe('also make it the user default'),
  })
  .strict()
  .refine((v) => (v.generate === true) !== (v.privateKey !== undefined), 'give generate: true or privateKey, not both');
export type CreateIdentity = z.infer<typeof CreateIdentitySchema>;

export const UpdateIdentitySchema = z
  .object({ name: AuthorNameSchema.optional(), email: AuthorEmailSchema.optional() })
  .strict()
  .refine((v) => v.name !== undefined || v.email !== undefined, 'nothing to change: give name or email');

export const SetDefaultIdentitySchema = z
  .object({
    identityId: IdSchema.nullable().describe('null clears the default (a folder then inherits again)'),
    folderId: IdSchema.optional().describe('the folder whose default this is; the user default without it'),
  })
  .strict();

export const EffectiveIdentityQuerySchema = z.object({ folderId: IdSchema.optional() }).strict();
export const EffectiveIdentitySchema = z.object({
  identity: IdentitySchema.nullable(),
  /** Where it comes from: a folder id (that folder or an ancestor), "user", or null when none is set. */
  source: z.string().nullable(),
});

// ---- repositories ----
export const RepositoryUrlSchema = z
  .string()
  .superRefine((v, ctx) => {
    const parsed = parseRepositoryUrl(v);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
  })
  .describe('ssh://user@host/path, git@host:owner/repo.git, https://host/path, or an absolute local path');

export const REPOSITORY_STATUSES = ['cloning', 'ready', 'failed'] as const;
export const RepositorySchema = z.object({
  id: IdSchema,
  url: z.string(),
  path: z.string().describe('the bare mirror under RDV_HOME/repos'),
  identityId: IdSchema.nullable(),
  status: z.enum(REPOSITORY_STATUSES),
  error: z.string().nullable(),
  defaultBranch: z.string().nullable(),
  hostKey: z.string().nullable().describe('the SHA256 fingerprint of the ssh host key pinned for it'),
  lastFetchedAt: TimestampSchema.nullable(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type Repository = z.infer<typeof RepositorySchema>;

export const CreateRepositorySchema = z
  .object({
    url: RepositoryUrlSchema,
    identityId: IdSchema.optional().describe('clone and fetch with this identity; else the user default'),
    wait: z.boolean().default(false).describe('answer when the clone is done (else at once, with status "cloning")'),
  })
  .strict();

export const ForgetHostSchema = z
  .object({ host: z.string().min(1).max(300).regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name, optionally [host]:port') })
  .strict();

// ---- push ----
export const PushWorktreeSchema = z
  .object({
    id: IdSchema.optional(),
    path: z.string().startsWith('/').optional(),
    identityId: IdSchema.optional().describe("push as this identity; else the session's, the repository's or the default"),
    remoteBranch: BranchSchema.optional().describe('the branch name on the remote (default: the same)'),
  })
  .strict()
  .refine((v) => (v.id ? 1 : 0) + (v.path ? 1 : 0) === 1, 'give exactly one of id or path');

export const PushResultSchema = z.object({
  worktreeId: IdSchema,
  branch: z.string(),
  remoteBranch: z.string(),
  remote: z.string().describe('the remote URL pushed to'),
  identityId: IdSchema.nullable(),
  output: z.string().describe("git's own report"),
  compareUrl: z.string().nullable().describe('where to open a pull request (GitHub) or merge request (GitLab)'),
});
