'use client';
import type { Identity, Repository } from '@rdv/core/schemas';
import { useCallback, useEffect, useId, useState } from 'react';
import { useUi } from '../app-context';
import { messageOf } from '../state/actions';
import { useSubmit } from './dialog';

const POLL_MS = 1000;

/** Cloned repositories: the list (refreshed while one is cloning) and a form to clone another. */
export function RepositoriesSection(props: { identities: Identity[] }) {
  const { api } = useUi();
  const [items, setItems] = useState<Repository[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [url, setUrl] = useState('');
  const [identityId, setIdentityId] = useState('');
  const identitySelect = useId();

  const load = useCallback(async () => {
    try {
      setItems((await api.GET('/api/repositories')).items);
    } catch (err) {
      setLoadError(messageOf(err));
    }
  }, [api]);
  useEffect(() => void load(), [load]);
  const cloning = items?.some((r) => r.status === 'cloning') ?? false;
  useEffect(() => {
    if (!cloning) return;
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [cloning, load]);

  const { busy, error, onSubmit } = useSubmit(async () => {
    await api.POST('/api/repositories', { body: { url: url.trim(), ...(identityId ? { identityId } : {}) } });
    setUrl('');
    await load();
  });

  return (
    <section aria-label="Repositories">
      <h3>Repositories</h3>
      <p className="dialog-text muted">Clones rdv keeps for worktree sessions (type the URL as a session&apos;s repository). They are fetched before each new worktree.</p>
      {loadError && <p className="form-error" role="alert">{loadError}</p>}
      <ul className="repo-list" aria-label="Cloned repositories">
        {items?.map((r) => (
          <li key={r.id} aria-label={r.url}>
            <code>{r.url}</code>
            <span className={r.status === 'failed' ? 'repo-state failed' : 'repo-state'}>{r.status === 'failed' ? `failed: ${r.error ?? ''}` : r.status}</span>
            {r.hostKey && <small className="muted">host key {r.hostKey}</small>}
          </li>
        ))}
        {items?.length === 0 && <li className="muted">None yet.</li>}
      </ul>
      <form onSubmit={onSubmit} aria-label="Clone a repository" className="repo-form">
        <label className="field">
          <span>Clone URL</span>
          <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="git@github.com:owner/repo.git" required spellCheck={false} autoCapitalize="off" />
        </label>
        <div className="field">
          <label htmlFor={identitySelect}>As</label>
          <select id={identitySelect} value={identityId} onChange={(e) => setIdentityId(e.target.value)}>
            <option value="">your default identity</option>
            {props.identities.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name} &lt;{i.email}&gt;
              </option>
            ))}
          </select>
        </div>
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="dialog-buttons">
          <button type="submit" className="button" disabled={busy}>
            {busy ? 'Working…' : 'Clone'}
          </button>
        </div>
      </form>
    </section>
  );
}
