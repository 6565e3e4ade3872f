import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Logger } from '../log/index.js';
import {
  AbsolutePathSchema,
  AgentSchema,
  CommandLineSchema,
  IdSchema,
  NameSchema,
  OutputTextSchema,
  SESSION_STATUSES,
  ScrollbackSchema,
  SearchResultSchema,
  SessionSchema,
  WorktreeRequestSchema,
  listOf,
} from '../schemas/index.js';
import type { RdvApi } from './api.js';
import { SessionRefSchema, registerRdvTool } from './tool.js';

const readOnly = { readOnlyHint: true, openWorldHint: false } as const;
/** Which machine: another host's name or id (see `rdv host list`); absent: this one. */
const HostArgSchema = z.string().trim().min(1).max(64).optional().describe('another machine running rdv (a host name or id); absent: this one');

/** session_* tools: list, get, create, rename, close, suspend, resume, send input, read output, read the log, search logs. */
export function registerSessionTools(server: McpServer, api: RdvApi, log: Logger): void {
  const session = { session: SessionRefSchema };

  registerRdvTool(server, log, {
    name: 'session_list',
    area: 'session',
    title: 'List sessions',
    description:
      'List rdv terminal sessions (shells and coding agents, each a tmux session). By default only open ones (active or suspended).',
    input: {
      status: z
        .enum([...SESSION_STATUSES, 'open', 'all'])
        .optional()
        .describe('which sessions: open (default), active, suspended, closed, trashed or all'),
      folderId: IdSchema.optional().describe('only sessions in this folder'),
      host: z.string().trim().min(1).max(64).optional().describe('"all" for this machine and every host (each session says its host), or one host\'s name or id'),
    },
    output: listOf(SessionSchema),
    annotations: readOnly,
    run: (a) => api.listSessions({ status: a.status, folderId: a.folderId, ...(a.host ? { host: a.host } : {}) }),
  });

  registerRdvTool(server, log, {
    name: 'session_get',
    area: 'session',
    title: 'Get a session',
    description: 'Get one session by id or name: status, kind, agent, cwd, folder, timestamps.',
    input: { ...session, host: HostArgSchema },
    output: SessionSchema,
    annotations: readOnly,
    run: (a) => api.resolveSession(a.session, a.host),
  });

  registerRdvTool(server, log, {
    name: 'session_create',
    area: 'session',
    title: 'Create a session',
    description:
      'Start a new session in its own tmux session: a shell, or a coding agent (claude, codex, gemini, opencode, or custom with a command). Optionally in a folder and/or a new git worktree.',
    input: {
      name: NameSchema.describe('a display name, unique among open sessions'),
      agent: AgentSchema.optional().describe('start this coding agent instead of a plain shell'),
      command: CommandLineSchema.optional().describe('the command line for a custom agent (or to run in the shell)'),
      cwd: AbsolutePathSchema.optional().describe('working directory (absolute); default: the folder or user default'),
      folderId: IdSchema.optional().describe('put the session in this folder (see folder_list)'),
      worktree: WorktreeRequestSchema.optional().describe('create a git worktree for the session: repoPath, branch, base'),
      host: HostArgSchema,
    },
    output: SessionSchema,
    run: (a) =>
      api.createSession({
        name: a.name,
        kind: a.agent ? 'agent' : 'shell',
        ...(a.agent ? { agent: a.agent } : {}),
        ...(a.command ? { command: a.command } : {}),
        ...(a.cwd ? { cwd: a.cwd } : {}),
        ...(a.folderId ? { folderId: a.folderId } : {}),
        ...(a.worktree ? { worktree: a.worktree } : {}),
      }, a.host),
  });

  registerRdvTool(server, log, {
    name: 'session_rename',
    area: 'session',
    title: 'Rename a session',
    description: 'Give a session a new name.',
    input: { ...session, name: NameSchema.describe('the new name') },
    output: SessionSchema,
    annotations: { idempotentHint: true },
    run: async (a) => api.renameSession((await api.resolveSession(a.session)).id, a.name),
  });

  registerRdvTool(server, log, {
    name: 'session_close',
    area: 'session',
    title: 'Close a session',
    description: 'Close a session: ends its tmux session and whatever runs in it. Idempotent.',
    input: session,
    output: SessionSchema,
    annotations: { destructiveHint: true, idempotentHint: true },
    run: async (a) => api.closeSession((await api.resolveSession(a.session)).id),
  });

  registerRdvTool(server, log, {
    name: 'session_suspend',
    area: 'session',
    title: 'Suspend a session',
    description: 'Mark an active session suspended (its tmux session keeps running); resume it with session_resume.',
    input: session,
    output: SessionSchema,
    run: async (a) => api.suspendSession((await api.resolveSession(a.session)).id),
  });

  registerRdvTool(server, log, {
    name: 'session_resume',
    area: 'session',
    title: 'Resume a session',
    description: 'Resume a suspended session (restarting its tmux session if it is gone).',
    input: session,
    output: SessionSchema,
    run: async (a) => api.resumeSession((await api.resolveSession(a.session)).id),
  });

  registerRdvTool(server, log, {
    name: 'session_send_input',
    area: 'session',
    title: 'Type into a session',
    description:
      'Type one line of text into an active session, then press Enter (e.g. a shell command, or an answer to an agent). For keys like C-c use session_inject.',
    input: { ...session, text: CommandLineSchema.describe('the line to type (no newlines or control characters)'), host: HostArgSchema },
    output: z.object({ sessionId: IdSchema, sent: z.literal(true) }),
    run: async (a) => api.exec((await api.resolveSession(a.session, a.host)).id, a.text, a.host),
  });

  registerRdvTool(server, log, {
    name: 'session_read_output',
    area: 'session',
    title: 'Read a session\'s output',
    description: 'The last lines of a session\'s terminal (screen and scrollback) as plain text.',
    input: {
      ...session,
      lines: z.number().int().min(1).max(5000).optional().describe('how many lines (default 200, at most 5000)'),
      host: HostArgSchema,
    },
    output: ScrollbackSchema,
    annotations: readOnly,
    run: async (a) => api.scrollback((await api.resolveSession(a.session, a.host)).id, a.lines ?? 200, a.host),
  });

  registerRdvTool(server, log, {
    name: 'session_read_log',
    area: 'session',
    title: "Read a session's output log",
    description:
      "A session's whole output as kept on disk, as text, also after it closed: its last lines (default 200), or a page from a byte " +
      'offset (from session_search, or the previous page\'s `end` while `more` is true).',
    input: {
      ...session,
      tail: z.number().int().min(1).max(20_000).optional().describe('the last N lines (default 200 unless from is given)'),
      from: z.number().int().min(0).optional().describe('a byte offset to read from instead'),
      limitBytes: z.number().int().min(1).max(1_048_576).optional().describe('at most this many bytes (default 64 KiB)'),
    },
    output: OutputTextSchema,
    annotations: readOnly,
    run: async (a) => {
      const id = (await api.resolveSession(a.session)).id;
      const limit = a.limitBytes ?? 64 * 1024;
      return api.readLog(id, a.from !== undefined ? { from: a.from, limit } : { tail: a.tail ?? 200, limit });
    },
  });

  registerRdvTool(server, log, {
    name: 'session_search',
    area: 'session',
    title: "Search sessions' output",
    description:
      'Search the output of every session (closed ones too) for words, "quoted phrases" or prefix*. Returns sessions best first, ' +
      'each with matching lines and their byte offsets (read around one with session_read_log from=offset).',
    input: {
      q: z.string().min(1).max(500).describe('what to look for'),
      session: SessionRefSchema.optional().describe('only this session (id or name)'),
      since: z.iso.datetime({ offset: true }).optional().describe('only output written since (ISO 8601)'),
      limit: z.number().int().min(1).max(100).optional().describe('at most this many sessions (default 20)'),
    },
    output: SearchResultSchema,
    annotations: readOnly,
    run: async (a) => {
      const sessionId = a.session ? (await api.resolveSession(a.session)).id : undefined;
      return api.search({ q: a.q, sessionId, since: a.since, limit: a.limit });
    },
  });
}
