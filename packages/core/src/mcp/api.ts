import type { z } from 'zod';
import type {
  CreateFolderSchema,
  CreateKnowledgeSchema,
  CreateRepositorySchema,
  CreateProposalSchema,
  CreateSessionSchema,
  CreateWorktreeSchema,
  ExtractResult,
  Folder,
  FolderContextSchema,
  InjectSchema,
  KnowledgeDocument,
  KnowledgeEntry,
  KnowledgeHit,
  KnowledgeProposal,
  ListSessionsQuerySchema,
  ListWorktreesQuerySchema,
  Orchestrator,
  OutputText,
  PushWorktreeSchema,
  RemoveWorktreeSchema,
  Repository,
  SearchResult,
  Session,
  SessionNote,
} from '../schemas/index.js';

/** An api object the tools hand on as it is (worktrees, insights, monitoring status). */
export type Loose = Record<string, unknown>;
type List<T> = { items: T[] };

/**
 * What the MCP tools ask of the rdv api. The server does not open sockets itself: `rdv
 * mcp` implements this over the typed api client (`@rdv/client`) and passes it in.
 * Failures are AppErrors (ServiceDownError when rdv is not running); the tools word them
 * with describeFailure.
 */
export interface RdvApi {
  listSessions(query?: z.input<typeof ListSessionsQuerySchema>): Promise<List<Session>>;
  /** A session by id, by name (an open one first, then the newest) or by id prefix. */
  resolveSession(ref: string, host?: string): Promise<Session>;
  /** `host`: on another machine (a host id or name, see `rdv host list`); absent: this one. */
  createSession(body: z.input<typeof CreateSessionSchema>, host?: string): Promise<Session>;
  renameSession(id: string, name: string): Promise<Session>;
  closeSession(id: string): Promise<Session>;
  suspendSession(id: string): Promise<Session>;
  resumeSession(id: string): Promise<Session>;
  exec(id: string, command: string, host?: string): Promise<{ sessionId: string; sent: true }>;
  /** The session waits for its human with this message (it notifies like a question). */
  requestAttention(id: string, message: string): Promise<Loose>;
  scrollback(id: string, lines: number, host?: string): Promise<{ sessionId: string; lines: number; text: string }>;
  /** A text page of a session's output log (closed sessions too): its last `tail` lines, or from a byte offset. */
  readLog(id: string, query: { tail?: number; from?: number; limit?: number }): Promise<OutputText>;
  search(query: { q: string; sessionId?: string; since?: string; limit?: number }): Promise<SearchResult>;

  listFolders(): Promise<List<Folder>>;
  createFolder(body: z.input<typeof CreateFolderSchema>): Promise<Folder>;
  folderContext(id: string): Promise<z.input<typeof FolderContextSchema>>;
  /** A folder by id or name (a name shared by several folders is refused) or id prefix. */
  resolveFolder(ref: string): Promise<Folder>;

  knowledgeDocument(folderId: string, maxChars?: number): Promise<KnowledgeDocument>;
  addKnowledge(folderId: string, body: z.input<typeof CreateKnowledgeSchema>): Promise<KnowledgeEntry>;
  searchKnowledge(folderId: string, q: string, limit?: number): Promise<List<KnowledgeHit>>;
  addSessionNote(sessionId: string, body: string): Promise<SessionNote>;
  /** Proposes a knowledge entry for the folder; a person accepts or dismisses it. */
  proposeKnowledge(folderId: string, body: z.input<typeof CreateProposalSchema>): Promise<KnowledgeProposal>;
  /** Reads the end of the session's log now and stores what it teaches as proposals. */
  extractProposals(sessionId: string): Promise<ExtractResult>;

  listWorktrees(query: z.input<typeof ListWorktreesQuerySchema>): Promise<List<Loose>>;
  createWorktree(body: z.input<typeof CreateWorktreeSchema>): Promise<Loose>;
  removeWorktree(body: z.input<typeof RemoveWorktreeSchema>): Promise<Loose>;
  /** Git status of one worktree (id or path), one repository's, or (none given) every active one's. */
  worktreeStatus(ref: { id?: string; path?: string; repoPath?: string }): Promise<List<Loose>>;
  /** The review diff of one worktree (by sessionId, id or path), against its base or `base`. */
  worktreeDiff(query: { sessionId?: string; id?: string; path?: string; base?: string; maxBytes?: number; maxFileBytes?: number }): Promise<Loose & { files: Loose[] }>;

  listOrchestrators(): Promise<List<Orchestrator>>;
  monitoringStatus(orchestratorId: string): Promise<Loose>;
  /** Insights, newest first: one orchestrator's, or (no id) all of the user's; open ones unless `all`. */
  insights(orchestratorId: string | undefined, all: boolean): Promise<List<Loose>>;
  resolveInsight(id: string): Promise<Loose>;
  inject(orchestratorId: string, body: z.input<typeof InjectSchema>): Promise<Loose>;
  /** Master Control (the api makes it on first use). */
  masterOrchestrator(): Promise<Orchestrator>;

  listRepositories(): Promise<List<Repository>>;
  addRepository(body: z.input<typeof CreateRepositorySchema>): Promise<Repository>;
  pushWorktree(body: z.input<typeof PushWorktreeSchema>): Promise<Loose>;
}
