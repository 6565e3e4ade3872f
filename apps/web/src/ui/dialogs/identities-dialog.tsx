'use client';
import type { Identity } from '@rdv/core/schemas';
import { useCallback, useEffect, useState } from 'react';
import { useUi } from '../app-context';
import { messageOf } from '../state/actions';
import { Dialog, useSubmit } from './dialog';
import { RepositoriesSection } from './repositories-section';

/** Copies text; where the Clipboard API is unavailable (plain http), selects it for Ctrl C. */
async function copyText(text: string, fallback: HTMLTextAreaElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard access here: leave the key selected so the person can copy it.
    fallback?.select();
    return false;
  }
}

function IdentityCard(props: { identity: Identity; onDefault: () => void; onDelete: () => void }) {
  const { toast } = useUi();
  const i = props.identity;
  const [keyBox, setKeyBox] = useState<HTMLTextAreaElement | null>(null);
  // Deleting a key cannot be undone: the first click asks, the second deletes.
  const [confirming, setConfirming] = useState(false);
  return (
    <article className="identity" aria-label={`${i.name} <${i.email}>`}>
      <header>
        <h3>{i.name}</h3>
        <span className="muted">{i.email}</span>
        {i.isDefault && <span className="badge">default</span>}
      </header>
      <p className="muted identity-fp">{i.fingerprint}</p>
      <textarea ref={setKeyBox} className="identity-key" readOnly rows={2} value={i.publicKey} aria-label={`Public key of ${i.name}`} onFocus={(e) => e.currentTarget.select()} />
      <div className="identity-actions">
        <button type="button" className="button small" onClick={() => void copyText(i.publicKey, keyBox).then((ok) => toast(ok ? 'Public key copied' : 'Press Ctrl C to copy the selected key'))}>
          Copy public key
        </button>
        {!i.isDefault && (
          <button type="button" className="button ghost small" onClick={props.onDefault}>
            Make default
          </button>
        )}
        {confirming ? (
          <>
            <span className="muted">Delete its key for good?</span>
            <button type="button" className="button small danger" onClick={props.onDelete} aria-label={`Really delete ${i.name}`}>
              Delete
            </button>
            <button type="button" className="button ghost small" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" className="button ghost small" onClick={() => setConfirming(true)} aria-label={`Delete ${i.name}`}>
            Delete
          </button>
        )}
      </div>
    </article>
  );
}

/** Git identities: who sessions commit as and the SSH key they reach remotes with. */
export function IdentitiesDialog(props: { onClose: () => void }) {
  const { api } = useUi();
  const [items, setItems] = useState<Identity[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [mode, setMode] = useState<'generate' | 'import'>('generate');
  const [privateKey, setPrivateKey] = useState('');

  const load = useCallback(async () => {
    try {
      setItems((await api.GET('/api/identities')).items);
    } catch (err) {
      setLoadError(messageOf(err));
    }
  }, [api]);
  useEffect(() => void load(), [load]);

  const act = (run: () => Promise<unknown>) => () =>
    void run()
      .then(load)
      .catch((err: unknown) => setLoadError(messageOf(err)));
  const { busy, error, onSubmit } = useSubmit(async () => {
    const base = { name: name.trim(), email: email.trim(), makeDefault: !items?.length };
    await api.POST('/api/identities', { body: mode === 'generate' ? { ...base, generate: true } : { ...base, privateKey } });
    setName('');
    setEmail('');
    setPrivateKey('');
    await load();
  });
  return (
    <Dialog title="Git identities and repositories" label="Git identities" onClose={props.onClose} wide>
      <p className="dialog-text muted">
        Worktree sessions commit as their identity and reach remotes with its SSH key. Private keys stay encrypted on this server; paste the public key into GitHub, GitLab or the
        server&apos;s authorized_keys.
      </p>
      {loadError && <p className="form-error" role="alert">{loadError}</p>}
      <div className="kb-list" role="list" aria-label="Identities">
        {items?.map((i) => (
          <IdentityCard
            key={i.id}
            identity={i}
            onDefault={act(() => api.PUT('/api/identities/default', { body: { identityId: i.id } }))}
            onDelete={act(() => api.DELETE('/api/identities/{id}', { params: { path: { id: i.id } } }))}
          />
        ))}
        {items?.length === 0 && <p className="muted">No identities yet.</p>}
      </div>
      <form onSubmit={onSubmit} aria-label="Add an identity">
        <h3>Add an identity</h3>
        <div className="identity-fields">
          <label className="field">
            <span>Name</span>
            <input data-autofocus value={name} maxLength={128} autoComplete="name" onChange={(e) => setName(e.target.value)} required />
          </label>
          <label className="field">
            <span>Email</span>
            <input type="email" value={email} maxLength={254} autoComplete="email" onChange={(e) => setEmail(e.target.value)} required />
          </label>
        </div>
        <div className="segmented" role="radiogroup" aria-label="Key">
          <button type="button" role="radio" aria-checked={mode === 'generate'} className={mode === 'generate' ? 'on' : ''} onClick={() => setMode('generate')}>
            Generate a new key
          </button>
          <button type="button" role="radio" aria-checked={mode === 'import'} className={mode === 'import' ? 'on' : ''} onClick={() => setMode('import')}>
            Import a key
          </button>
        </div>
        {mode === 'import' && (
          <label className="field">
            <span>Private key (without a passphrase)</span>
            <textarea rows={5} value={privateKey} spellCheck={false} autoComplete="off" onChange={(e) => setPrivateKey(e.target.value)} placeholder="-----BEGIN OPENSSH PRIVATE KEY-----" required />
          </label>
        )}
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="dialog-buttons">
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Working…' : mode === 'generate' ? 'Generate' : 'Import'}
          </button>
        </div>
      </form>
      <RepositoriesSection identities={items ?? []} />
      <div className="dialog-buttons">
        <button type="button" className="button ghost" onClick={props.onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
