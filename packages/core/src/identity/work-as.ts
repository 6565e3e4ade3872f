// A session working as an identity: its worktree's author (worktree-local config) and its
// own ssh-agent holding the key, its socket in the session's private run folder.
import { join } from 'node:path';
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Logger } from 'pino';
import { schema, type Db } from '../db/index.js';
import type { EventBus } from '../events/index.js';
import { startAgent, sshCommand, type SshAgent } from './agent.js';
import { remoteGit } from './remote-git.js';
import type { IdentityService } from './service.js';

export interface SessionIdentities {
  /** The identity a new session works as: the one asked for, else its folder's (inherited), else its repository's, else the user default. */
  resolve(userId: string, input: { identityId?: string | null; folderId: string | null; repositoryId?: string | null }): string | null;
  /** Writes the identity's author (and, for rdv's mirrors, rdv's ssh command) into the worktree's own config. */
  configureWorktree(userId: string, identityId: string, worktree: { path: string; repoPath: string }, sessionId: string): Promise<void>;
  /** Starts (or finds running) the session's agent; its socket path, for SSH_AUTH_SOCK. */
  ensureAgent(session: { id: string; userId: string; identityId: string }): Promise<string>;
  stopAgent(sessionId: string): Promise<void>;
  /** Starts the agents of open sessions that work as an identity (after an api restart); how many. */
  resumeAgents(): Promise<number>;
  /** Stops every agent (api shutdown). Sessions keep their SSH_AUTH_SOCK; the next start brings agents back. */
  dispose(): Promise<void>;
}

export interface SessionIdentitiesDeps {
  db: Db;
  /** When given, deleting an identity stops the agents holding its key at once. */
  events?: EventBus;
  identities: IdentityService;
  /** RDV_HOME/run/sessions: each session's private folder. */
  sessionRunDir: string;
  knownHosts: string;
  log: Logger;
}

export function createSessionIdentities(deps: SessionIdentitiesDeps): SessionIdentities {
  const agents = new Map<string, Promise<SshAgent>>();
  /** Which identity each running agent holds. */
  const holds = new Map<string, string>();
  const dirOf = (sessionId: string) => join(deps.sessionRunDir, sessionId);
  const socketOf = (sessionId: string) => join(dirOf(sessionId), 'agent.sock');

  const service: SessionIdentities = {
    resolve(userId, input) {
      if (input.identityId) return deps.identities.get(userId, input.identityId).id;
      const fromFolder = deps.identities.effective(userId, input.folderId);
      if (fromFolder.identity && fromFolder.source !== 'user') return fromFolder.identity.id;
      const repository = input.repositoryId
        ? deps.db.select().from(schema.repositories).where(and(eq(schema.repositories.id, input.repositoryId), eq(schema.repositories.userId, userId))).get()
        : undefined;
      return repository?.identityId ?? fromFolder.identity?.id ?? null;
    },
    async configureWorktree(userId, identityId, worktree, sessionId) {
      const identity = deps.identities.get(userId, identityId);
      const git = (args: string[]) => remoteGit(worktree.path, args, { knownHosts: deps.knownHosts, agent: null });
      await git(['config', 'extensions.worktreeConfig', 'true']);
      await git(['config', '--worktree', 'user.name', identity.name]);
      await git(['config', '--worktree', 'user.email', identity.email]);
      const mirror = deps.db.select({ id: schema.repositories.id }).from(schema.repositories).where(eq(schema.repositories.path, worktree.repoPath)).get();
      if (mirror) {
        // rdv's clones: the session reaches the remote as rdv did, with rdv's pinned host keys.
        const agent = { socket: socketOf(sessionId), publicKeyFile: join(dirOf(sessionId), 'identity.pub') };
        await git(['config', '--worktree', 'core.sshCommand', sshCommand(deps.knownHosts, agent)]);
      }
    },
    async ensureAgent(session) {
      const running = agents.get(session.id);
      if (running) return (await running).socket;
      const starting = startAgent(dirOf(session.id), deps.identities.unseal(session.userId, session.identityId));
      agents.set(session.id, starting);
      holds.set(session.id, session.identityId);
      try {
        const agent = await starting;
        deps.log.info({ sessionId: session.id, identityId: session.identityId, pid: agent.pid }, 'session ssh-agent started');
        return agent.socket;
      } catch (err) {
        agents.delete(session.id);
        holds.delete(session.id);
        throw err;
      }
    },
    async stopAgent(sessionId) {
      const running = agents.get(sessionId);
      if (!running) return;
      agents.delete(sessionId);
      holds.delete(sessionId);
      await (await running.catch(() => null))?.stop();
      deps.log.info({ sessionId }, 'session ssh-agent stopped');
    },
    async resumeAgents() {
      const open = deps.db
        .select({ id: schema.sessions.id, userId: schema.sessions.userId, identityId: schema.sessions.identityId })
        .from(schema.sessions)
        .where(and(inArray(schema.sessions.status, ['active', 'suspended']), isNotNull(schema.sessions.identityId)))
        .all();
      let started = 0;
      for (const s of open) {
        try {
          await service.ensureAgent({ id: s.id, userId: s.userId, identityId: s.identityId! });
          started++;
        } catch (err) {
          // Its identity was deleted or its key does not open: the session runs on without an agent.
          deps.log.warn({ sessionId: s.id, err: (err as Error).message }, 'could not start the ssh-agent of a session');
        }
      }
      return started;
    },
    async dispose() {
      unsubscribe?.();
      const all = [...agents.keys()];
      await Promise.all(all.map((id) => service.stopAgent(id)));
    },
  };
  // A deleted identity's key leaves memory now, not when its sessions close.
  const unsubscribe = deps.events?.subscribeAll((_userId, event) => {
    const gone = event.type === 'identity.updated' ? (event.data.identity as { id?: string; deleted?: boolean } | undefined) : undefined;
    if (!gone?.deleted || !gone.id) return;
    for (const [sessionId, identityId] of holds) if (identityId === gone.id) void service.stopAgent(sessionId);
  });
  return service;
}
