import { AppError } from '../errors/index.js';

/**
 * A search box's text as FTS5 queries. Users type words and "quoted phrases" (a
 * trailing * makes a prefix); nothing they type is FTS5 syntax, so `foo-bar`, `a:b`,
 * `NOT`, a stray quote all mean their words. Words are split the way FTS5's unicode61
 * tokenizer splits text (runs of letters, digits and marks), and each word is quoted.
 */

export const MAX_QUERY_LENGTH = 500;
const MAX_TERMS = 32;
const TOKEN = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;

export interface QueryTerm {
  tokens: string[];
  /** The last token is a prefix. */
  prefix: boolean;
}

export interface SearchQuery {
  terms: QueryTerm[];
  /** For the index, which keeps no positions: every token, ANDed. */
  index: string;
  /** The query proper, phrases and all: checked on candidate chunks, and what snippets mark. */
  exact: string;
}

const quote = (token: string) => `"${token.replace(/"/g, '""')}"`;

export function parseSearchQuery(q: string): SearchQuery {
  if (q.length > MAX_QUERY_LENGTH) throw new AppError('invalid_input', `the query is longer than ${MAX_QUERY_LENGTH} characters`);
  const terms: QueryTerm[] = [];
  for (const m of q.matchAll(/"([^"]*)"?(\*?)|([^\s"]+)/g)) {
    const raw = m[1] ?? m[3] ?? '';
    const prefix = m[1] !== undefined ? m[2] === '*' : raw.endsWith('*');
    const tokens = raw.match(TOKEN) ?? [];
    if (tokens.length) terms.push({ tokens, prefix });
  }
  if (terms.length === 0) throw new AppError('invalid_input', 'the query has no words to search for');
  if (terms.length > MAX_TERMS) throw new AppError('invalid_input', `the query has more than ${MAX_TERMS} terms`);
  const index = terms
    .flatMap((t) => t.tokens.map((tok, i) => quote(tok) + (t.prefix && i === t.tokens.length - 1 ? '*' : '')))
    .join(' ');
  const exact = terms.map((t) => quote(t.tokens.join(' ')) + (t.prefix ? '*' : '')).join(' ');
  return { terms, index, exact };
}
