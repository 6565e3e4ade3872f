'use client';
import type { Folder, Identity } from '@rdv/core/schemas';
import { useCallback, useEffect, useId, useState } from 'react';
import { useUi } from '../app-context';
import { messageOf } from '../state/actions';
import { Dialog } from './dialog';

/** The git identity a folder's worktree sessions work as: its own, or inherited (parent folders, then yours). */
export function FolderIdentityDialog(props: { folder: Folder; onClose: () => void }) {
  const { api, toast } = useUi();
  const [identities, setIdentities] = useState<Identity[] | null>(null);
  const [effective, setEffective] = useState<{ identity: Identity | null; source: string | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const selectId = useId();
  const id = props.folder.id;

  const load = useCallback(async () => {
    try {
      const [list, now] = await Promise.all([api.GET('/api/identities'), api.GET('/api/identities/default', { params: { query: { folderId: id } } })]);
      setIdentities(list.items);
      setEffective(now);
    } catch (err) {
      toast(`Could not load identities: ${messageOf(err)}`);
    }
  }, [api, id, toast]);
  useEffect(() => void load(), [load]);

  const own = effective?.source === id ? effective.identity?.id ?? '' : '';
  const choose = async (identityId: string) => {
    setBusy(true);
    try {
      setEffective(await api.PUT('/api/identities/default', { body: { identityId: identityId || null, folderId: id } }));
    } catch (err) {
      toast(`Could not save it: ${messageOf(err)}`);
    } finally {
      setBusy(false);
    }
  };
  const inherited = effective && effective.source !== id ? effective.identity : null;

  return (
    <Dialog title={`Git identity for “${props.folder.name}”`} onClose={props.onClose}>
      <p className="muted">Worktree sessions in this folder and its subfolders commit as this identity and push with its key, unless a session names another.</p>
      <div className="field">
        <label htmlFor={selectId}>Identity</label>
        <select id={selectId} value={own} disabled={busy || !identities} onChange={(e) => void choose(e.target.value)}>
          <option value="">{inherited ? `As the parent (${inherited.name} <${inherited.email}>)` : 'As the parent (none)'}</option>
          {identities?.map((i) => (
            <option key={i.id} value={i.id}>
              {i.name} &lt;{i.email}&gt;
            </option>
          ))}
        </select>
      </div>
      {identities?.length === 0 && <p className="muted">You have no identities yet; add one under Git identities (the key button).</p>}
      <div className="dialog-buttons">
        <button type="button" className="button primary" onClick={props.onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
