'use client';
import type { Session } from '@rdv/core/schemas';
import { useState } from 'react';
import { useUi } from '../app-context';
import { messageOf } from '../state/actions';
import { isOpen } from '../state/model';

function endedText(s: Session): string {
  if (s.lostAt) return 'lost with its tmux session (a reboot or a tmux crash)';
  if (s.status === 'trashed') return 'closed; its worktree is in the trash';
  if (s.exitCode !== null) return `ended with code ${s.exitCode}`;
  return 'closed';
}

/** Above a session's output log: what it is, and the way back (the live terminal, restoring a lost session, closing the tab). */
export function HistoryBar({ session }: { session: Session }) {
  const ui = useUi();
  const [busy, setBusy] = useState(false);
  const open = isOpen(session);
  const restore = async () => {
    setBusy(true);
    try {
      const result = await ui.api.POST('/api/sessions/restore', { body: { ids: [session.id], dryRun: false } });
      const item = result.items[0];
      if (item && !item.restored) ui.toast(`Could not restore “${session.name}”: ${item.reason ?? 'unknown reason'}`);
    } catch (err) {
      ui.toast(`Could not restore “${session.name}”: ${messageOf(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="history-bar" role="status">
      <span className="history-title">
        Output log of “{session.name}” <span className="muted">· {open ? 'still running; this is what it printed' : endedText(session)} · read only</span>
      </span>
      <span className="tab-fill" />
      {open ? (
        <button type="button" className="button ghost small" onClick={() => ui.dispatch({ type: 'backToLive', id: session.id })}>
          Back to the live terminal
        </button>
      ) : (
        <>
          {session.lostAt && (
            <button type="button" className="button primary small" disabled={busy} onClick={() => void restore()}>
              Restore
            </button>
          )}
          <button type="button" className="button ghost small" onClick={() => ui.dispatch({ type: 'dismiss', id: session.id })}>
            Close tab
          </button>
        </>
      )}
    </div>
  );
}
