'use client';
import { useEffect, useState, type ReactNode } from 'react';
import { useUi } from '../app-context';
import { messageOf } from '../state/actions';
import { Dialog } from './dialog';

/** A search hit as the api's document types it (its [start, end) pairs as plain arrays). */
interface SearchMatch {
  offset: number;
  snippet: string;
  highlights: number[][];
  writtenAt: string;
}
interface SearchHit {
  sessionId: string;
  name: string;
  status: string;
  matches: SearchMatch[];
}

/** How long typing rests before the search runs. */
const DEBOUNCE_MS = 200;

/** A snippet with its matched words in <mark>. */
function Snippet({ match }: { match: SearchMatch }) {
  const parts: ReactNode[] = [];
  let at = 0;
  match.highlights.forEach(([a = 0, b = 0], i) => {
    if (a > at) parts.push(match.snippet.slice(at, a));
    parts.push(<mark key={i}>{match.snippet.slice(a, b)}</mark>);
    at = b;
  });
  parts.push(match.snippet.slice(at));
  return <span className="search-snippet">{parts}</span>;
}

/**
 * Search across every session's output, closed ones too (Ctrl K, ⌘ K on a Mac). A match
 * opens its session's output log at that line; an ended session opens read-only.
 */
export function SearchDialog({ onClose }: { onClose: () => void }) {
  const ui = useUi();
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const query = q.trim();
    if (!query) {
      setHits(null);
      setError(null);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      ui.api.GET('/api/search', { params: { query: { q: query, perSession: 5 } } }).then(
        (r) => current && (setHits(r.items), setError(null)),
        (err: unknown) => current && setError(messageOf(err)),
      );
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [q, ui.api]);

  const open = async (hit: SearchHit, match: SearchMatch) => {
    try {
      // An ended session this page does not know yet is fetched, to open its log.
      const known = ui.state.sessions.find((s) => s.id === hit.sessionId);
      const session = known ?? (await ui.api.GET('/api/sessions/{id}', { params: { path: { id: hit.sessionId } } }));
      ui.dispatch({ type: 'openAt', id: session.id, offset: match.offset, q: q.trim() });
      ui.dispatch({ type: 'session', session });
      onClose();
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <Dialog title="Search all sessions" onClose={onClose} wide>
      <input
        data-autofocus
        className="search-all-input"
        value={q}
        placeholder='Words, "a phrase" or prefix*'
        aria-label="Search the output of all sessions"
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={(e) => {
          const first = hits?.[0];
          if (e.key === 'Enter' && first?.matches[0]) {
            e.preventDefault();
            void open(first, first.matches[0]);
          }
        }}
      />
      {error && <p className="form-error" role="alert">{error}</p>}
      {hits && hits.length === 0 && !error && <p className="muted search-none">Nothing found in any session’s output.</p>}
      {hits && hits.length > 0 && (
        <ul className="search-results" aria-label="Search results">
          {hits.map((hit) => (
            <li key={hit.sessionId}>
              <div className="search-session">
                {hit.name}
                {hit.status !== 'active' && <span className="badge">{hit.status}</span>}
              </div>
              {hit.matches.map((m) => (
                <button key={m.offset} type="button" className="search-match" onClick={() => void open(hit, m)}>
                  <Snippet match={m} />
                  <span className="search-when">{new Date(m.writtenAt).toLocaleString()}</span>
                </button>
              ))}
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
