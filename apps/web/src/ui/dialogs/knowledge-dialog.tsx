'use client';
import type { Folder, KnowledgeEntry, KnowledgeHit } from '@rdv/core/schemas';
import { useCallback, useEffect, useState } from 'react';
import { useUi } from '../app-context';
import { messageOf } from '../state/actions';
import { Dialog, useSubmit } from './dialog';
import { renderMarkdown } from './markdown';
import { EntryFields, parseTags, type EntryDraft } from './entry-fields';
import { ProposedSection } from './proposals';

function Entry(props: { entry: KnowledgeEntry; snippet?: string; onDelete?: () => void }) {
  const e = props.entry;
  const by = e.author.kind === 'session' ? `session ${e.author.name}` : e.author.name;
  const from = e.source ? ` · accepted from ${e.source.sessionName ? `session ${e.source.sessionName}` : 'a proposal'}` : '';
  return (
    <article className="kb-entry" aria-label={e.title}>
      <header>
        <h3>{e.title}</h3>
        <span className="muted">
          {e.inherited ? `from ${e.folderName} · ` : ''}
          {by}
          {from} · {e.updatedAt.slice(0, 10)}
        </span>
        {props.onDelete && (
          <button type="button" className="button ghost small" onClick={props.onDelete} aria-label={`Delete ${e.title}`}>
            Delete
          </button>
        )}
      </header>
      {props.snippet !== undefined ? (
        <div className="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(props.snippet) }} />
      ) : (
        <div className="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(e.body) }} />
      )}
      {e.tags.length > 0 && <p className="kb-tags">{e.tags.map((t) => `#${t}`).join(' ')}</p>}
    </article>
  );
}

/** A folder's knowledge: its entries and its ancestors', search, add and delete. */
const EMPTY: EntryDraft = { title: '', body: '', tags: '' };

export function KnowledgeDialog(props: { folder: Folder; onClose: () => void }) {
  const { api } = useUi();
  const id = props.folder.id;
  const [entries, setEntries] = useState<KnowledgeEntry[] | null>(null);
  const [hits, setHits] = useState<KnowledgeHit[] | null>(null);
  const [query, setQuery] = useState('');
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draft, setDraft] = useState<EntryDraft>(EMPTY);

  const load = useCallback(async () => {
    try {
      setEntries((await api.GET('/api/folders/{id}/knowledge', { params: { path: { id }, query: {} } })).items);
    } catch (err) {
      setLoadError(messageOf(err));
    }
  }, [api, id]);
  useEffect(() => void load(), [load]);

  const search = async (q: string) => {
    setQuery(q);
    if (!q.trim()) return setHits(null);
    try {
      setHits((await api.GET('/api/folders/{id}/knowledge/search', { params: { path: { id }, query: { q, limit: 20 } } })).items);
    } catch (err) {
      setLoadError(messageOf(err));
    }
  };
  const { busy, error, onSubmit } = useSubmit(async () => {
    await api.POST('/api/folders/{id}/knowledge', { params: { path: { id } }, body: { title: draft.title.trim(), body: draft.body, tags: parseTags(draft.tags) } });
    setDraft(EMPTY);
    await load();
  });
  const remove = async (e: KnowledgeEntry) => {
    try {
      await api.DELETE('/api/folders/{id}/knowledge/{entryId}', { params: { path: { id: e.folderId, entryId: e.id } } });
      await load();
    } catch (err) {
      setLoadError(messageOf(err));
    }
  };

  return (
    <Dialog title={`Knowledge: ${props.folder.name}`} onClose={props.onClose} wide>
      <p className="dialog-text muted">Notes for people and agents working here; subfolders see them too. New agent sessions start with them.</p>
      <label className="field">
        <span>Search</span>
        <input type="search" value={query} onChange={(e) => void search(e.target.value)} placeholder="words or &quot;a phrase&quot;" />
      </label>
      {loadError && <p className="form-error" role="alert">{loadError}</p>}
      <ProposedSection folderId={id} onAccepted={() => void load()} />
      <h3>Entries</h3>
      <div className="kb-list" role="list" aria-label="Knowledge entries">
        {hits
          ? hits.map((h) => <Entry key={h.entry.id} entry={h.entry} snippet={h.snippet} />)
          : entries?.map((e) => <Entry key={e.id} entry={e} onDelete={e.inherited ? undefined : () => void remove(e)} />)}
        {(hits ?? entries)?.length === 0 && <p className="muted">{hits ? 'No matches.' : 'No entries yet.'}</p>}
      </div>
      <form onSubmit={onSubmit} aria-label="Add an entry">
        <h3>Add an entry</h3>
        <EntryFields draft={draft} onChange={setDraft} autoFocus />
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="dialog-buttons">
          <button type="button" className="button ghost" onClick={props.onClose}>
            Close
          </button>
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Working…' : 'Add'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
