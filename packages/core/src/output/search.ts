import Database from 'better-sqlite3';
import { AppError } from '../errors/index.js';
import type { DbHandle } from '../db/index.js';
import { chunkTextOf } from './chunks.js';
import { openLogSnapshot, type LogSnapshot } from './files.js';
import { parseSearchQuery } from './query.js';

export interface SearchOutputInput {
  userId: string;
  q: string;
  sessionId?: string;
  folderIds?: string[];
  /** Only output written at or after this time. */
  since?: Date;
  /** Sessions returned, best first (default 20, at most 100). */
  limit?: number;
  /** Matching lines per session (default 3, at most 50). */
  perSession?: number;
}

export interface OutputMatch {
  /** Absolute byte offset of the matching line in the session's log (for `readOutput({ from })`). */
  offset: number;
  /** The matching line (cut around the match, with "…", when long). */
  snippet: string;
  /** [start, end) of each matched word in `snippet` (UTF-16 indices). */
  highlights: [number, number][];
  writtenAt: string;
}

export interface OutputSearchHit {
  sessionId: string;
  name: string;
  status: string;
  folderId: string | null;
  /** bm25 of the session's best chunk (among the candidates): lower is better. */
  score: number;
  matches: OutputMatch[];
}

export interface OutputSearch {
  /** Searches a user's sessions' output. Errors: `invalid_input` for a query without words. */
  search(input: SearchOutputInput): OutputSearchHit[];
  dispose(): void;
}

interface Candidate {
  id: number;
  sessionId: string;
  start: number;
  end: number;
  writtenAt: number;
  name: string;
  status: string;
  folderId: string | null;
}

const MARK_OPEN = '\u0002';
const MARK_CLOSE = '\u0003';
/** A snippet is cut to about this many characters of its line. */
const SNIPPET_CHARS = 200;
/** Candidate chunks per search, the newest: phrases are checked and ranks computed on these. */
const CANDIDATES = 200;
/**
 * Rows of the index walked at most to find them: a common word matches nearly every chunk,
 * and each row walked costs a lookup of its session. 5000 chunks are the newest 40 MB of
 * matching text, so a common word finds the sessions that printed it most recently.
 */
const SCAN_ROWS = 5000;

/**
 * Search over sessions' output. The index (contentless FTS5 without positions, so it
 * stays small) yields the newest chunks holding every word; their text is read back
 * from the logs into a small in-memory FTS5 table with positions, where the exact query
 * (phrases included) is checked, bm25 ranks them (the index alone cannot: without
 * positions FTS5 counts no occurrences, and its bm25 is 0 for every row) and
 * `highlight()` marks the words found.
 */
export function createOutputSearch(deps: { db: DbHandle; locate: (sessionId: string) => string | null }): OutputSearch {
  const { sqlite } = deps.db;
  const scratch = new Database(':memory:');
  /**
   * A new table per search: emptying an FTS5 table row by row re-tokenizes every row, and
   * its leftovers slow each later search down; dropping it costs nothing.
   */
  const freshTable = () => {
    scratch.exec("DROP TABLE IF EXISTS hits; CREATE VIRTUAL TABLE hits USING fts5(text, tokenize='unicode61 remove_diacritics 2')");
    return {
      put: scratch.prepare('INSERT INTO hits (rowid, text) VALUES (?, ?)'),
      // Ranking first, marking after, for the few chunks shown (highlight() over every candidate costs more than the rest).
      rank: scratch.prepare('SELECT rowid AS id, bm25(hits) AS score FROM hits WHERE hits MATCH ? ORDER BY score'),
      mark: scratch.prepare(`SELECT highlight(hits, 0, '${MARK_OPEN}', '${MARK_CLOSE}') AS marked FROM hits WHERE hits MATCH ? AND rowid = ?`),
    };
  };

  /**
   * The newest chunks holding every word, at most `perSession` of each session (so one
   * busy session cannot crowd the others out), CANDIDATES in all.
   */
  const candidates = (input: SearchOutputInput, indexQuery: string, perSession: number): Candidate[] => {
    const where = ['output_fts MATCH ?', 's.user_id = ?'];
    const params: unknown[] = [indexQuery, input.userId];
    if (input.sessionId) {
      where.push('c.session_id = ?');
      params.push(input.sessionId);
    }
    if (input.folderIds?.length) {
      where.push(`s.folder_id IN (${input.folderIds.map(() => '?').join(', ')})`);
      params.push(...input.folderIds);
    }
    if (input.since) {
      where.push('c.written_at >= ?');
      params.push(input.since.getTime());
    }
    // Newest first: FTS5 walks its doclists backwards, and the walk stops early.
    const sql = `SELECT c.id, c.session_id AS sessionId, c.start_offset AS start, c.end_offset AS "end", c.written_at AS writtenAt,
        s.name, s.status, s.folder_id AS folderId
      FROM output_fts JOIN output_chunks c ON c.id = output_fts.rowid JOIN sessions s ON s.id = c.session_id
      WHERE ${where.join(' AND ')} ORDER BY output_fts.rowid DESC LIMIT ${SCAN_ROWS}`;
    const out: Candidate[] = [];
    const taken = new Map<string, number>();
    for (const c of sqlite.prepare(sql).iterate(...params) as Iterable<Candidate>) {
      const n = taken.get(c.sessionId) ?? 0;
      if (n >= perSession) continue;
      taken.set(c.sessionId, n + 1);
      out.push(c);
      if (out.length >= CANDIDATES) break;
    }
    return out;
  };

  return {
    search(input) {
      const query = parseSearchQuery(input.q);
      const limit = clamp(input.limit ?? 20, 1, 100);
      const perSession = clamp(input.perSession ?? 3, 1, 50);
      // A chunk holds one matching line at least; a few more per session give the ranking a choice.
      const found = candidates(input, query.index, perSession + 2);
      if (found.length === 0) return [];
      const texts = readChunkTexts(found, deps.locate);
      const byId = new Map(found.map((c) => [c.id, c]));
      const hits = new Map<string, OutputSearchHit>();
      const { put, rank, mark } = freshTable();
      scratch.transaction(() => {
        // Ascending rowids: FTS5 flushes what it holds whenever a rowid goes down.
        for (const c of [...found].sort((a, b) => a.id - b.id)) {
          const t = texts.get(c.id);
          if (t) put.run(c.id, t.text);
        }
        // Best first; each session up to `perSession` matching lines, from its best chunks on.
        for (const { id, score } of rank.all(query.exact) as { id: number; score: number }[]) {
          const c = byId.get(id)!;
          let hit = hits.get(c.sessionId);
          if (!hit) {
            if (hits.size >= limit) continue;
            hit = { sessionId: c.sessionId, name: c.name, status: c.status, folderId: c.folderId, score, matches: [] };
            hits.set(c.sessionId, hit);
          }
          if (hit.matches.length >= perSession) continue;
          const { marked } = mark.get(query.exact, id) as { marked: string };
          for (const m of lineMatches(texts.get(id)!, marked)) {
            if (hit.matches.length >= perSession) break;
            hit.matches.push({ ...m, writtenAt: new Date(c.writtenAt).toISOString() });
          }
        }
      })();
      scratch.exec('DROP TABLE hits');
      return [...hits.values()];
    },
    dispose() {
      if (scratch.open) scratch.close();
    },
  };
}

const clamp = (n: number, lo: number, hi: number) => {
  if (!Number.isInteger(n)) throw new AppError('invalid_input', 'limits must be whole numbers');
  return Math.min(hi, Math.max(lo, n));
};

type ChunkText = ReturnType<typeof chunkTextOf>;

/** Each candidate's text, read back from its session's log (one snapshot per session). */
function readChunkTexts(found: Candidate[], locate: (sessionId: string) => string | null): Map<number, ChunkText> {
  const out = new Map<number, ChunkText>();
  const snaps = new Map<string, LogSnapshot | null>();
  try {
    for (const c of found) {
      if (!snaps.has(c.sessionId)) {
        const dir = locate(c.sessionId);
        snaps.set(c.sessionId, dir ? openLogSnapshot(dir) : null);
      }
      const snap = snaps.get(c.sessionId);
      // Bytes rotated away since they were indexed can no longer be shown.
      if (!snap || c.start < snap.start) continue;
      out.set(c.id, chunkTextOf(snap.read(c.start, c.end), c.start));
    }
  } finally {
    for (const s of snaps.values()) s?.close();
  }
  return out;
}

/**
 * One match per line holding a marked word (FTS5's `highlight()`), the line as its
 * snippet, cut to about SNIPPET_CHARS around its first mark. (FTS5's `snippet()` starts
 * its windows at "sentences", after a ":", which splits "Error: …" lines; a terminal's
 * unit is the line.)
 */
function lineMatches(chunk: ChunkText, marked: string): Omit<OutputMatch, 'writtenAt'>[] {
  const out: Omit<OutputMatch, 'writtenAt'>[] = [];
  marked.split('\n').forEach((line, index) => {
    if (!line.includes(MARK_OPEN)) return;
    const { text, highlights } = unmark(line);
    const offset = chunk.lines[index]?.offset ?? chunk.lines[0]?.offset ?? 0;
    const first = highlights[0]?.[0] ?? 0;
    const from = Math.max(0, Math.min(first - SNIPPET_CHARS / 4, text.length - SNIPPET_CHARS));
    const to = Math.min(text.length, from + SNIPPET_CHARS);
    if (from === 0 && to === text.length) {
      out.push({ offset, snippet: text, highlights });
      return;
    }
    const lead = from > 0 ? '…' : '';
    const shift = lead.length - from;
    out.push({
      offset,
      snippet: lead + text.slice(from, to) + (to < text.length ? '…' : ''),
      highlights: highlights.filter(([a, b]) => a >= from && b <= to).map(([a, b]) => [a + shift, b + shift] as [number, number]),
    });
  });
  return out;
}

function unmark(marked: string): { text: string; highlights: [number, number][] } {
  let text = '';
  const highlights: [number, number][] = [];
  let open = -1;
  for (const ch of marked) {
    if (ch === MARK_OPEN) open = text.length;
    else if (ch === MARK_CLOSE && open >= 0) {
      highlights.push([open, text.length]);
      open = -1;
    } else text += ch;
  }
  return { text, highlights };
}
