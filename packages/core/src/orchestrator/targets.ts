import { and, eq } from 'drizzle-orm';
import { schema, type Db } from '../db/index.js';
import type { Agent } from '../schemas/index.js';
import { folderChain, type FolderParents, type OrchestratorRow } from './store.js';

/** An agent session being watched, with the orchestrator whose settings apply to it. */
export interface Target {
  sessionId: string;
  userId: string;
  name: string;
  tmuxName: string;
  agent: Agent | null;
  folderId: string | null;
  createdAt: number;
  orchestrator: OrchestratorRow;
}

/**
 * Loads the active agent sessions watched by some orchestrator with monitoring on. The
 * nearest monitoring folder orchestrator (the session's folder, then its ancestors)
 * governs a session; failing that, its user's Master Control if that is monitoring.
 * The queries are prepared once: the monitor runs this every scan.
 */
export function createTargetLoader(db: Db): (monitoring: readonly OrchestratorRow[]) => Target[] {
  const sessionsQuery = db
    .select({
      id: schema.sessions.id,
      userId: schema.sessions.userId,
      name: schema.sessions.name,
      tmuxName: schema.sessions.tmuxName,
      agent: schema.sessions.agent,
      folderId: schema.sessions.folderId,
      createdAt: schema.sessions.createdAt,
    })
    .from(schema.sessions)
    .where(and(eq(schema.sessions.status, 'active'), eq(schema.sessions.kind, 'agent')))
    .prepare();
  const foldersQuery = db.select({ id: schema.folders.id, parentId: schema.folders.parentId }).from(schema.folders).prepare();

  return (monitoring) => {
    if (!monitoring.length) return [];
    const masters = new Map<string, OrchestratorRow>();
    const byFolder = new Map<string, OrchestratorRow>();
    for (const o of monitoring) {
      if (o.kind === 'master') masters.set(o.userId, o);
      else if (o.folderId) byFolder.set(`${o.userId}:${o.folderId}`, o);
    }
    const users = new Set(monitoring.map((o) => o.userId));
    const sessions = sessionsQuery.all().filter((s) => users.has(s.userId));
    const parents: FolderParents = byFolder.size ? new Map(foldersQuery.all().map((f) => [f.id, f.parentId])) : new Map();
    const targets: Target[] = [];
    for (const s of sessions) {
      let governing: OrchestratorRow | undefined;
      for (const f of byFolder.size ? folderChain(parents, s.folderId) : []) {
        governing = byFolder.get(`${s.userId}:${f}`);
        if (governing) break;
      }
      governing ??= masters.get(s.userId);
      if (!governing) continue;
      targets.push({
        sessionId: s.id,
        userId: s.userId,
        name: s.name,
        tmuxName: s.tmuxName,
        agent: (s.agent as Agent | null) ?? null,
        folderId: s.folderId,
        createdAt: s.createdAt.getTime(),
        orchestrator: governing,
      });
    }
    return targets;
  };
}
