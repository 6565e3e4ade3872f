'use client';
import { useCallback, useRef, useState } from 'react';

export interface Toast {
  id: number;
  message: string;
}

/** Short-lived messages for failed actions; each fades after six seconds. */
export function useToasts() {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const toast = useCallback((message: string) => {
    const id = next.current++;
    setToasts((t) => [...t.slice(-3), { id, message }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), 6000);
  }, []);
  return { toasts, toast };
}

export function Toasts({ toasts }: { toasts: Toast[] }) {
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className="toast" role="status">
          {t.message}
        </div>
      ))}
    </div>
  );
}

/** Shown when the edge stops accepting this browser (cookie expired, Access session ended). */
export function SignedOut({ mode }: { mode: 'local' | 'cloudflare' }) {
  return (
    <div className="signed-out" role="alertdialog" aria-label="Signed out">
      <div className="overlay-card">
        <h3>You are signed out</h3>
        {mode === 'local' ? (
          <p>
            Open a fresh login link: run <code>rdv login-link</code> on the machine running rdv.
          </p>
        ) : (
          <p>Your Cloudflare Access session has ended.</p>
        )}
        <div className="dialog-buttons">
          <button type="button" className="button primary" onClick={() => location.reload()}>
            {mode === 'local' ? 'Reload' : 'Sign in again'}
          </button>
        </div>
      </div>
    </div>
  );
}
