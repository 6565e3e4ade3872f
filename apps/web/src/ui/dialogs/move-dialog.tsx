'use client';
import type { Folder } from '@rdv/core/schemas';
import { useState } from 'react';
import { Dialog, DialogButtons, useSubmit } from './dialog';
import { foldersIn } from '../state/model';

/** Pick a destination folder (or the top level) for a session or a folder. */
export function MoveDialog(props: { title: string; folders: Folder[]; current: string | null; exclude?: string; onMove: (folderId: string | null) => Promise<void>; onClose: () => void }) {
  const [target, setTarget] = useState<string | null>(props.current);
  const { busy, error, onSubmit } = useSubmit(async () => {
    await props.onMove(target);
    props.onClose();
  });
  const rows: Array<{ id: string | null; name: string; depth: number }> = [{ id: null, name: 'Top level', depth: 0 }];
  const walk = (parentId: string | null, depth: number) => {
    for (const f of foldersIn(props.folders, parentId)) {
      // A folder cannot move into itself or below itself.
      if (f.id === props.exclude) continue;
      rows.push({ id: f.id, name: f.name, depth });
      walk(f.id, depth + 1);
    }
  };
  walk(null, 1);
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form onSubmit={onSubmit}>
        <div className="pick-list" role="radiogroup" aria-label="Destination">
          {rows.map((r) => (
            <label key={r.id ?? 'top'} className={target === r.id ? 'pick on' : 'pick'} style={{ paddingLeft: 10 + r.depth * 16 }}>
              <input type="radio" name="dest" checked={target === r.id} onChange={() => setTarget(r.id)} />
              {r.name}
            </label>
          ))}
        </div>
        {error && <p className="form-error" role="alert">{error}</p>}
        <DialogButtons busy={busy} submit="Move" onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}
