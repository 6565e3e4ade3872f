'use client';
import type { Folder } from '@rdv/core/schemas';
import { useState } from 'react';
import { useUi } from '../app-context';
import { Dialog } from '../dialogs/dialog';
import { messageOf } from '../state/actions';
import { NOTIFY_TYPES, type NotifyTypeKey } from './types';

type Choice = 'inherit' | 'on' | 'off';
const choiceOf = (v: boolean | undefined): Choice => (v === undefined ? 'inherit' : v ? 'on' : 'off');

/**
 * What notifies for one folder's sessions: each kind follows the parent folder (and in the
 * end the user's own switches in the bell's panel) unless set here; subfolders inherit it.
 */
export function FolderNotificationsDialog(props: { folder: Folder; onClose: () => void }) {
  const { api, toast } = useUi();
  const [values, setValues] = useState(props.folder.notifications);
  const [busy, setBusy] = useState(false);

  const choose = async (key: NotifyTypeKey, choice: Choice) => {
    setBusy(true);
    try {
      const folder = await api.PATCH('/api/folders/{id}', {
        params: { path: { id: props.folder.id } },
        body: { notifications: { [key]: choice === 'inherit' ? null : choice === 'on' } },
      });
      setValues(folder.notifications);
    } catch (err) {
      toast(`Could not save it: ${messageOf(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Notifications for “${props.folder.name}”`} onClose={props.onClose}>
      <p className="muted">
        Sessions in this folder and its subfolders notify as the parent folder says (in the end, as your own switches in the
        bell&apos;s panel say) unless you choose here.
      </p>
      <div className="type-switches folder-notify">
        {NOTIFY_TYPES.map(([key, label]) => (
          <label key={key}>
            <span>{label}</span>
            <select aria-label={label} value={choiceOf(values[key])} disabled={busy} onChange={(e) => void choose(key, e.target.value as Choice)}>
              <option value="inherit">As the parent</option>
              <option value="on">Notify</option>
              <option value="off">Don&apos;t notify</option>
            </select>
          </label>
        ))}
      </div>
      <div className="dialog-buttons">
        <button type="button" className="button primary" onClick={props.onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
