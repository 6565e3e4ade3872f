'use client';
import type { KnowledgeProposal } from '@rdv/core/schemas';
import { useCallback, useEffect, useState } from 'react';
import { useUi } from '../app-context';
import { messageOf } from '../state/actions';
import { useSubmit } from './dialog';
import { EntryFields, parseTags, type EntryDraft } from './entry-fields';
import { renderMarkdown } from './markdown';

const KIND_LABEL: Record<KnowledgeProposal['kind'], string> = {
  error_fix: 'an error and what worked',
  unblock: 'what unblocked it',
  direct: 'proposed directly',
};

/** Accepting with changes: title, body and tags as the person wants them kept. */
function EditForm(props: { proposal: KnowledgeProposal; onAccept: (edits: { title: string; body: string; tags: string[] }) => Promise<void>; onCancel: () => void }) {
  const [draft, setDraft] = useState<EntryDraft>({ title: props.proposal.title, body: props.proposal.body, tags: '' });
  const { busy, error, onSubmit } = useSubmit(() => props.onAccept({ title: draft.title.trim(), body: draft.body, tags: parseTags(draft.tags) }));
  return (
    <form onSubmit={onSubmit} aria-label={`Edit ${props.proposal.title}`} className="kb-edit">
      <EntryFields draft={draft} onChange={setDraft} />
      {error && <p className="form-error" role="alert">{error}</p>}
      <div className="dialog-buttons">
        <button type="button" className="button ghost small" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" className="button primary small" disabled={busy}>
          {busy ? 'Working…' : 'Accept edited'}
        </button>
      </div>
    </form>
  );
}

function Proposal(props: { proposal: KnowledgeProposal; folderId: string; onDecided: () => void }) {
  const { api } = useUi();
  const p = props.proposal;
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const path = { id: props.folderId, proposalId: p.id };
  const accept = async (edits: { title?: string; body?: string; tags?: string[] } = {}) => {
    await api.POST('/api/folders/{id}/knowledge/proposals/{proposalId}/accept', { params: { path }, body: edits });
    props.onDecided();
  };
  const attempt = (run: () => Promise<void>) => async () => {
    setError(null);
    try {
      await run();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const dismiss = async () => {
    await api.POST('/api/folders/{id}/knowledge/proposals/{proposalId}/dismiss', { params: { path } });
    props.onDecided();
  };
  return (
    <article className="kb-entry kb-proposal" aria-label={p.title}>
      <header>
        <h3>{p.title}</h3>
        <span className="muted">
          {KIND_LABEL[p.kind]}
          {p.sessionName ? ` · from ${p.sessionName}` : ''} · {p.createdAt.slice(0, 10)}
        </span>
      </header>
      <div className="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(p.body) }} />
      {p.evidence && (
        <details className="kb-evidence">
          <summary>Evidence</summary>
          {/* The log's own text, shown as text: React escapes it, nothing in it is markup. */}
          <pre>{p.evidence}</pre>
        </details>
      )}
      {error && <p className="form-error" role="alert">{error}</p>}
      {editing ? (
        <EditForm proposal={p} onAccept={(edits) => accept(edits)} onCancel={() => setEditing(false)} />
      ) : (
        <div className="kb-actions">
          <button type="button" className="button primary small" onClick={attempt(() => accept())} aria-label={`Accept ${p.title}`}>
            Accept
          </button>
          <button type="button" className="button small" onClick={() => setEditing(true)} aria-label={`Edit and accept ${p.title}`}>
            Edit…
          </button>
          <button type="button" className="button ghost small" onClick={attempt(dismiss)} aria-label={`Dismiss ${p.title}`}>
            Dismiss
          </button>
        </div>
      )}
    </article>
  );
}

/**
 * The folder's proposed entries, drawn from its sessions' logs: each becomes knowledge only
 * when the person accepts it (as it is or edited), or goes away when dismissed. Reloads when
 * the event stream says a proposal changed.
 */
export function ProposedSection(props: { folderId: string; onAccepted: () => void }) {
  const { api, state } = useUi();
  const [items, setItems] = useState<KnowledgeProposal[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setItems((await api.GET('/api/folders/{id}/knowledge/proposals', { params: { path: { id: props.folderId }, query: {} } })).items);
    } catch (err) {
      setError(messageOf(err));
    }
  }, [api, props.folderId]);
  useEffect(() => void load(), [load, state.proposalsVersion]);
  const decided = () => {
    void load();
    props.onAccepted();
  };
  return (
    <section className="kb-proposed" aria-label="Proposed">
      <h3>
        Proposed <span className="kb-count" aria-label={`${items?.length ?? 0} proposed`}>{items?.length ?? 0}</span>
      </h3>
      {error && <p className="form-error" role="alert">{error}</p>}
      {items?.length === 0 && <p className="muted">Nothing proposed. When an agent here finishes a turn, what its log teaches shows up here for you to keep or dismiss.</p>}
      <div className="kb-list" role="list" aria-label="Proposed entries">
        {items?.map((p) => <Proposal key={p.id} proposal={p} folderId={props.folderId} onDecided={decided} />)}
      </div>
    </section>
  );
}
