import { and, eq } from 'drizzle-orm';
import { AppError } from '../../errors/index.js';
import { schema, type Db } from '../../db/index.js';
import type { EventBus } from '../../events/index.js';
import type { FolderService } from '../../folder/index.js';
import { hookEventOf } from '../../hooks/index.js';
import type { Logger } from '../../log/index.js';
import { openLogSnapshot, toText } from '../../output/index.js';
import type { ExtractResult } from '../../schemas/index.js';
import type { KnowledgeService } from '../service.js';
import { extractLearnings, type PersonInput } from './learnings.js';
import { createProposalStore, type ProposalStore } from './proposals.js';

/** At most this much of a log is read at once (its end). */
export const WINDOW_BYTES = 256 * 1024;
/** Read again before the last proposal point, so an error late in one turn pairs with its fix in the next; repeats are dropped by hash. */
const OVERLAP_BYTES = 16 * 1024;
/** At most this many proposals from one turn. */
export const MAX_PER_TURN = 5;
/** A person's input this long after the wait ended still counts as answering it. */
const WAIT_GRACE_MS = 60_000;
const MAX_INPUTS = 20;

export interface LearningServiceDeps {
  db: Db;
  events: EventBus;
  folders: FolderService;
  knowledge: KnowledgeService;
  /** A session's output folder, or null when it keeps no log. */
  locate(sessionId: string): string | null;
  log: Logger;
  /** How long after a turn ends its log is read, so the agent's last output has reached the log (default 500 ms). */
  settleMs?: number;
}

export interface LearningService extends ProposalStore {
  /**
   * Reads the session's log and stores what it teaches as proposals (never as knowledge).
   * `fromCursor`: only what was written since the last proposal point (what turn ends do);
   * otherwise the log's last WINDOW_BYTES (what insight_extract asks for). not_found for
   * another user's session; conflict for a session in no folder.
   */
  extract(userId: string, sessionId: string, options?: { fromCursor?: boolean; max?: number }): ExtractResult;
  /** Keeps what a person typed to a session when its agent was waiting for them (false: it was not waiting). */
  noteInput(userId: string, sessionId: string, input: { text: string; source: 'prompt' | 'inject' }): boolean;
  /** Resolves when the extractions started by events so far have run. */
  idle(): Promise<void>;
  /** Stops following events. Idempotent. */
  dispose(): void;
}

/** The session's log from `from` (or its last WINDOW_BYTES) to its last complete line, as text, and where that ends. */
function readSince(dir: string | null, from: number | null): { text: string; end: number | null } {
  if (!dir) return { text: '', end: null };
  const snap = openLogSnapshot(dir);
  try {
    const start = Math.max(snap.start, snap.end - WINDOW_BYTES, from === null ? 0 : from - OVERLAP_BYTES);
    let data = snap.read(start, snap.end);
    const last = data.lastIndexOf(0x0a);
    if (last < 0) return { text: '', end: from };
    const end = start + last + 1;
    data = data.subarray(0, last + 1);
    // Begun inside a line: that line's start is not here, so it is left out.
    if (start > snap.start && snap.read(start - 1, start)[0] !== 0x0a) data = data.subarray(data.indexOf(0x0a) + 1);
    return { text: toText(data), end };
  } finally {
    snap.close();
  }
}

/** Proposals from sessions' logs: on each finished turn and close, and on request. */
export function createLearningService(deps: LearningServiceDeps): LearningService {
  const { db, log } = deps;
  const store = createProposalStore(deps);
  const C = schema.learningCursors;
  /**
   * Sessions whose agent waits for a person: what for, until when an input still counts as
   * the answer (Infinity while it waits), and whether one was noted (then the wait ends with it).
   */
  const waiting = new Map<string, { waitedFor: string; until: number; answered: boolean }>();
  const settleMs = deps.settleMs ?? 500;
  const scheduled = new Map<string, Promise<void>>();
  let disposed = false;

  const cursorOf = (sessionId: string) => db.select().from(C).where(eq(C.sessionId, sessionId)).get();
  const saveCursor = (userId: string, sessionId: string, set: { offset?: number; inputs?: PersonInput[] }) => {
    db.insert(C)
      .values({ sessionId, userId, offset: set.offset ?? 0, inputs: set.inputs ?? [], updatedAt: new Date() })
      .onConflictDoUpdate({ target: C.sessionId, set: { ...set, updatedAt: new Date() } })
      .run();
  };
  const sessionRow = (userId: string, sessionId: string) =>
    db.select().from(schema.sessions).where(and(eq(schema.sessions.id, sessionId), eq(schema.sessions.userId, userId))).get();

  const extract: LearningService['extract'] = (userId, sessionId, options = {}) => {
    const s = sessionRow(userId, sessionId);
    if (!s) throw new AppError('not_found', `session ${sessionId} not found`);
    if (!s.folderId) throw new AppError('conflict', `session ${s.name} is in no folder; move it into one to keep what it learns`);
    const cursor = cursorOf(sessionId);
    const { text, end } = readSince(deps.locate(sessionId), options.fromCursor ? (cursor?.offset ?? 0) : null);
    const found = extractLearnings(text, cursor?.inputs ?? [], options.max ?? MAX_PER_TURN);
    const { added, known } = store.add(userId, { id: s.id, name: s.name, folderId: s.folderId }, found);
    saveCursor(userId, sessionId, { offset: end ?? cursor?.offset ?? 0, inputs: [] });
    if (added.length) log.info({ sessionId, proposed: added.length, known }, 'learnings proposed');
    return { sessionId, folderId: s.folderId, proposed: added, alreadyProposed: known };
  };

  /** Runs a turn's extraction after the event that asked for it has been handled (once per session at a time). */
  const schedule = (userId: string, sessionId: string) => {
    if (scheduled.has(sessionId)) return;
    const run = new Promise<void>((resolve) => setTimeout(resolve, settleMs).unref()).then(() => {
      scheduled.delete(sessionId);
      if (disposed || !sessionRow(userId, sessionId)?.folderId) return;
      try {
        extract(userId, sessionId, { fromCursor: true });
      } catch (err) {
        log.warn({ err, sessionId }, 'could not propose learnings from the session log');
      }
    });
    scheduled.set(sessionId, run);
  };

  /** A wait that ended: answered, it is over; else an input in the next WAIT_GRACE_MS still answers it (events and inputs may cross). */
  const endWait = (sessionId: string) => {
    const w = waiting.get(sessionId);
    if (!w || w.until !== Infinity) return;
    if (w.answered) waiting.delete(sessionId);
    else w.until = Date.now() + WAIT_GRACE_MS;
  };

  const unsubscribe = deps.events.subscribeAll((userId, e) => {
    if (disposed) return;
    if (e.type === 'insight.resolved') {
      const sessionId = (e.data as { insight?: { sessionId?: string } }).insight?.sessionId;
      if (sessionId) endWait(sessionId);
      return;
    }
    const what = hookEventOf(e);
    if (!what) return;
    if (what.event === 'waiting_for_input' || what.event === 'stalled') {
      const message = (what.detail.insight as { message?: string } | undefined)?.message ?? what.event;
      waiting.set(what.sessionId, { waitedFor: message, until: Infinity, answered: false });
    } else if (what.event === 'turn_finished' || what.event === 'closed') {
      endWait(what.sessionId);
      if (what.event === 'closed') waiting.delete(what.sessionId);
      schedule(userId, what.sessionId);
    }
  });

  return {
    ...store,
    extract,
    noteInput(userId, sessionId, input) {
      const w = waiting.get(sessionId);
      if (!w || w.until < Date.now() || !input.text.trim() || !sessionRow(userId, sessionId)) return false;
      const cursor = cursorOf(sessionId);
      const inputs = [...(cursor?.inputs ?? []), { text: input.text.slice(0, 4000), source: input.source, waitedFor: w.waitedFor, at: new Date().toISOString() }];
      saveCursor(userId, sessionId, { offset: cursor?.offset ?? 0, inputs: inputs.slice(-MAX_INPUTS) });
      // One input answers one wait: what is typed after the agent moved on is a new instruction.
      if (w.until === Infinity) w.answered = true;
      else waiting.delete(sessionId);
      return true;
    },
    idle: async () => {
      while (scheduled.size) await Promise.all([...scheduled.values()]);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      unsubscribe();
    },
  };
}
