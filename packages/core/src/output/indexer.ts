import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { DbHandle } from '../db/index.js';
import { chunkBytes } from './chunks.js';
import { LOG_FILE, openLogSnapshot } from './files.js';

export interface OutputIndexerDeps {
  db: DbHandle;
  /** The folder of a session's output, or null when it has none (see `createOutputLocator`). */
  locate: (sessionId: string) => string | null;
  log?: Logger;
  /** Raw bytes indexed per batch (default 512 KiB): one transaction, then a pause. */
  batchBytes?: number;
  /** Text per indexed chunk (default 8 KiB): the granularity of a hit. */
  chunkChars?: number;
  /** How often the background loop looks for new output (default 5 s). */
  intervalMs?: number;
  /** A line still being written (no newline yet) is indexed once the log has been quiet this long (default 10 s). */
  settleMs?: number;
  now?: () => number;
}

export interface OutputIndexer {
  /** Indexes the next batch of one session's log; returns the raw bytes consumed (0: up to date). */
  indexBatch(sessionId: string): number;
  /** Indexes everything new, a batch at a time, pausing between batches at least as long as each took. */
  catchUp(): Promise<number>;
  /** Runs `catchUp` every `intervalMs` until disposed. */
  start(): void;
  dispose(): Promise<void>;
}

/**
 * Keeps the FTS5 index of sessions' output up to date, incrementally: per session it
 * remembers the absolute offset indexed so far, reads on from there in bounded batches
 * of whole lines, and drops the chunks of bytes rotated away. CPU stays bounded: one
 * batch per step, then a pause as long as the step took (at most half a core).
 */
export function createOutputIndexer(deps: OutputIndexerDeps): OutputIndexer {
  const { sqlite } = deps.db;
  const batchBytes = deps.batchBytes ?? 512 * 1024;
  const chunkChars = deps.chunkChars ?? 8 * 1024;
  const settleMs = deps.settleMs ?? 10_000;
  const now = deps.now ?? Date.now;
  const stmt = {
    sessions: sqlite.prepare('SELECT id FROM sessions'),
    state: sqlite.prepare('SELECT indexed_offset AS o FROM output_index_state WHERE session_id = ?'),
    setState: sqlite.prepare(
      'INSERT INTO output_index_state (session_id, indexed_offset, updated_at) VALUES (?, ?, ?) ON CONFLICT(session_id) DO UPDATE SET indexed_offset = excluded.indexed_offset, updated_at = excluded.updated_at',
    ),
    dropRotated: sqlite.prepare('DELETE FROM output_chunks WHERE session_id = ? AND end_offset <= ?'),
    insertChunk: sqlite.prepare('INSERT INTO output_chunks (session_id, start_offset, end_offset, written_at) VALUES (?, ?, ?, ?)'),
    insertText: sqlite.prepare('INSERT INTO output_fts (rowid, text) VALUES (?, ?)'),
    indexed: sqlite.prepare('SELECT session_id AS id FROM output_index_state'),
    dropChunks: sqlite.prepare('DELETE FROM output_chunks WHERE session_id = ?'),
    dropState: sqlite.prepare('DELETE FROM output_index_state WHERE session_id = ?'),
  };
  /** A session whose log is gone for good (its trash emptied) leaves the index too. */
  const forget = sqlite.transaction((sessionId: string) => {
    stmt.dropChunks.run(sessionId);
    stmt.dropState.run(sessionId);
  });
  /** The log's size and mtime when a session was last found up to date: unchanged means nothing to do. */
  const seen = new Map<string, string>();
  const fingerprint = (dir: string) => {
    try {
      const st = statSync(join(dir, LOG_FILE));
      return `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return 'none';
    }
  };

  /** One batch; `done` when the log is indexed to its end. */
  const step = (sessionId: string): { bytes: number; done: boolean } => {
    const dir = deps.locate(sessionId);
    if (!dir) return { bytes: 0, done: true };
    const snap = openLogSnapshot(dir);
    try {
      const indexed = (stmt.state.get(sessionId) as { o: number } | undefined)?.o ?? 0;
      const from = Math.max(indexed, snap.start);
      // One file per batch, so each chunk's time is its own file's.
      const part = snap.parts.find((p) => from < p.start + p.size);
      let to = Math.min(part ? part.start + part.size : snap.end, from + batchBytes);
      let bytes = snap.read(from, to);
      const nl = bytes.lastIndexOf(0x0a);
      const last = snap.parts[snap.parts.length - 1];
      const quiet = !last || now() - last.mtimeMs >= settleMs;
      // Whole lines only, unless the batch is one huge line, a file's last (rotation cut
      // it there), or the log has gone quiet.
      if (to === snap.end && !quiet) {
        to = nl >= 0 ? from + nl + 1 : from;
        bytes = bytes.subarray(0, to - from);
      } else if (to < snap.end && to === from + batchBytes && nl >= 0) {
        to = from + nl + 1;
        bytes = bytes.subarray(0, to - from);
      }
      const chunks = to > from ? chunkBytes(bytes, from, chunkChars) : [];
      const writtenAt = Math.floor(part?.mtimeMs ?? now());
      sqlite.transaction(() => {
        stmt.dropRotated.run(sessionId, snap.start);
        for (const c of chunks) {
          const { lastInsertRowid } = stmt.insertChunk.run(sessionId, c.start, c.end, writtenAt);
          stmt.insertText.run(lastInsertRowid, c.text);
        }
        if (to !== indexed) stmt.setState.run(sessionId, to, now());
      })();
      return { bytes: to - from, done: to === snap.end };
    } finally {
      snap.close();
    }
  };

  let disposed = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  const catchUpOnce = async (): Promise<number> => {
    let total = 0;
    const ids = (stmt.sessions.all() as { id: string }[]).map((r) => r.id);
    const indexed = new Set((stmt.indexed.all() as { id: string }[]).map((r) => r.id));
    for (const id of ids) {
      if (disposed) break;
      const dir = deps.locate(id);
      if (!dir) {
        if (indexed.has(id)) {
          forget(id);
          seen.delete(id);
        }
        continue;
      }
      const print = fingerprint(dir);
      if (seen.get(id) === print) continue;
      for (;;) {
        if (disposed) break;
        const t0 = Date.now();
        let r: { bytes: number; done: boolean };
        try {
          r = step(id);
        } catch (err) {
          // One unreadable log (removed meanwhile, permissions) must not stop the others.
          deps.log?.warn({ err, sessionId: id }, 'output indexing failed');
          break;
        }
        total += r.bytes;
        if (r.done) seen.set(id, print);
        if (r.done || r.bytes === 0) break;
        await pause(Math.max(5, Date.now() - t0));
      }
    }
    return total;
  };

  const catchUp = () => {
    running = (running ?? Promise.resolve(0)).then(catchUpOnce, catchUpOnce);
    return running;
  };

  return {
    indexBatch: (sessionId) => step(sessionId).bytes,
    catchUp,
    start() {
      if (disposed || timer) return;
      const tick = async () => {
        if (disposed) return;
        try {
          await catchUp();
        } catch (err) {
          deps.log?.error({ err }, 'output indexing failed');
        }
        if (!disposed) timer = setTimeout(tick, deps.intervalMs ?? 5000);
      };
      timer = setTimeout(tick, 0);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => 0);
    },
  };
}
