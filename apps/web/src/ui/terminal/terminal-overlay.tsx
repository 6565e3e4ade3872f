'use client';
import type { Session } from '@rdv/core/schemas';
import { useEffect, useState } from 'react';
import { useUi } from '../app-context';
import type { ConnectionState } from './terminal-socket';

function useCountdown(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!until) return;
    // The overlay is mounted all along: without this the first count starts from when it mounted.
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [until]);
  return until ? Math.max(0, Math.ceil((until - now) / 1000)) : 0;
}

/** What happens to typing while the terminal is away: it is held, up to a limit, and said so. */
function heldNote(chars: number, paused: boolean): string {
  const typed = `${chars} typed character${chars === 1 ? '' : 's'}`;
  if (paused) return `Input paused: ${typed} will be sent when it is back; more is not kept`;
  if (chars > 0) return `${typed} will be sent when it is back`;
  return 'What you type is sent when it is back';
}

/** What covers a terminal that is not simply live: reconnecting, ended, suspended, or refused. */
export function TerminalOverlay({ session, state }: { session: Session; state: ConnectionState | undefined }) {
  const ui = useUi();
  const seconds = useCountdown(state?.kind === 'reconnecting' ? state.retryAt : null);
  const closeTab = () => ui.dispatch({ type: 'closeTab', id: session.id });

  if (session.status === 'suspended') {
    return (
      <div className="overlay card-overlay" role="status">
        <div className="overlay-card">
          <h3>“{session.name}” is suspended</h3>
          <p>Resume it to attach again.</p>
          <div className="dialog-buttons">
            <button type="button" className="button ghost" onClick={closeTab}>Close tab</button>
            <button
              type="button"
              className="button primary"
              onClick={() => void ui.actions.resumeSession(session.id).then(() => ui.terminal(session.id)?.retryNow())}
            >
              Resume
            </button>
          </div>
        </div>
      </div>
    );
  }
  if (!state || state.kind === 'open') return null;
  if (state.kind === 'connecting') return <div className="overlay connecting" role="status">Connecting…</div>;
  if (state.kind === 'reconnecting') {
    return (
      <div className="overlay banner" role="status" aria-live="polite">
        <span className="pulse" />
        <span className="banner-text">
          <span>
            Reconnecting{seconds > 0 ? ` in ${seconds} s` : '…'} <span className="muted">({state.reason})</span>
          </span>
          <span className={state.inputPaused ? 'banner-note paused' : 'banner-note'}>{heldNote(state.heldChars, state.inputPaused)}</span>
        </span>
        <button type="button" className="button ghost small" onClick={() => ui.terminal(session.id)?.retryNow()}>
          Retry now
        </button>
      </div>
    );
  }
  const ended = state.kind === 'exited' || session.status === 'closed';
  return (
    <div className="overlay card-overlay" role="status">
      <div className="overlay-card">
        <h3>{ended ? 'This session has ended' : 'Cannot show this terminal'}</h3>
        <p>
          {state.kind === 'exited'
            ? `Its shell exited${state.code !== null ? ` with code ${state.code}` : ''}.`
            : state.kind === 'failed'
              ? state.message
              : 'Its process is no longer running.'}
        </p>
        <div className="dialog-buttons">
          <button type="button" className="button primary" onClick={ended ? () => ui.dispatch({ type: 'dismiss', id: session.id }) : closeTab}>
            Close tab
          </button>
        </div>
      </div>
    </div>
  );
}
