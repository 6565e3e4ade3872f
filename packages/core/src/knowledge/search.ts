import { inArray, sql } from 'drizzle-orm';
import { schema, type Db } from '../db/index.js';
import { parseSearchQuery } from '../output/index.js';
import type { KnowledgeRow } from './rows.js';

/** bm25 weights per column of knowledge_fts (entry_id, title, body, tags): a title match counts most. */
const WEIGHTS = [0, 8, 1, 4] as const;

interface RawHit {
  id: string;
  rank: number;
  title_snippet: string;
  body_snippet: string;
}

/**
 * Entries of `folderIds` matching `q` (words and "phrases" as a search box takes them,
 * never FTS5 syntax), best first by bm25, with a snippet of the body (or the title when
 * the body has no match) whose matched words are wrapped in ** **.
 */
export function searchKnowledge(db: Db, userId: string, folderIds: string[], q: string, limit: number): { row: KnowledgeRow; rank: number; snippet: string }[] {
  if (folderIds.length === 0) return [];
  const { exact } = parseSearchQuery(q);
  const raw = db.all<RawHit>(sql`
    SELECT e.id AS id,
           bm25(knowledge_fts, ${WEIGHTS[0]}, ${WEIGHTS[1]}, ${WEIGHTS[2]}, ${WEIGHTS[3]}) AS rank,
           snippet(knowledge_fts, 1, '**', '**', '…', 12) AS title_snippet,
           snippet(knowledge_fts, 2, '**', '**', '…', 24) AS body_snippet
    FROM knowledge_fts JOIN knowledge_entries e ON e.id = knowledge_fts.entry_id
    WHERE knowledge_fts MATCH ${exact}
      AND e.user_id = ${userId}
      AND e.folder_id IN (${sql.join(folderIds.map((id) => sql`${id}`), sql`, `)})
    ORDER BY rank
    LIMIT ${limit}`);
  if (raw.length === 0) return [];
  const rows = new Map(
    db
      .select()
      .from(schema.knowledgeEntries)
      .where(inArray(schema.knowledgeEntries.id, raw.map((h) => h.id)))
      .all()
      .map((r) => [r.id, r]),
  );
  return raw.flatMap((h) => {
    const row = rows.get(h.id);
    if (!row) return [];
    const snippet = h.body_snippet.includes('**') ? h.body_snippet : h.title_snippet.includes('**') ? h.title_snippet : h.body_snippet || h.title_snippet;
    return [{ row, rank: h.rank, snippet }];
  });
}
