'use client';
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { messageOf } from '../state/actions';
import { SHORTCUTS } from '../shortcuts';

/** A modal on the native <dialog>: focus stays inside, Esc and the backdrop close it. */
export function Dialog(props: { title: string; onClose: () => void; children: ReactNode; wide?: boolean; label?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d || d.open) return;
    d.showModal();
    // showModal moves focus to the first focusable element (a toggle, say), over React's
    // autoFocus; the field marked data-autofocus is where typing should go, its text selected.
    const start = d.querySelector<HTMLElement>('[data-autofocus]');
    start?.focus();
    if (start instanceof HTMLInputElement) start.select();
  }, []);
  return (
    <dialog
      ref={ref}
      className={props.wide ? 'dialog wide' : 'dialog'}
      aria-label={props.label ?? props.title}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
      onMouseDown={(e) => {
        if (e.target === ref.current) props.onClose();
      }}
    >
      <div className="dialog-body">
        <h2>{props.title}</h2>
        {props.children}
      </div>
    </dialog>
  );
}

/** Submit/cancel buttons with a busy state and the error of the last attempt. */
export function useSubmit(run: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await run();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, onSubmit };
}

export function DialogButtons(props: { busy: boolean; submit: string; onCancel: () => void; danger?: boolean }) {
  return (
    <div className="dialog-buttons">
      <button type="button" className="button ghost" onClick={props.onCancel}>
        Cancel
      </button>
      <button type="submit" className={props.danger ? 'button danger' : 'button primary'} disabled={props.busy}>
        {props.busy ? 'Working…' : props.submit}
      </button>
    </div>
  );
}

/** One text field: rename a session or folder, name a new folder. */
export function PromptDialog(props: { title: string; label: string; initial: string; submit: string; onSubmit: (value: string) => Promise<void>; onClose: () => void }) {
  const [value, setValue] = useState(props.initial);
  const { busy, error, onSubmit } = useSubmit(async () => {
    await props.onSubmit(value.trim());
    props.onClose();
  });
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form onSubmit={onSubmit}>
        <label className="field">
          <span>{props.label}</span>
          <input data-autofocus value={value} maxLength={64} onChange={(e) => setValue(e.target.value)} onFocus={(e) => e.target.select()} required />
        </label>
        {error && <p className="form-error" role="alert">{error}</p>}
        <DialogButtons busy={busy} submit={props.submit} onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}

export function ConfirmDialog(props: { title: string; message: string; submit: string; danger?: boolean; onConfirm: () => Promise<void>; onClose: () => void }) {
  const { busy, error, onSubmit } = useSubmit(async () => {
    await props.onConfirm();
    props.onClose();
  });
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form onSubmit={onSubmit}>
        <p className="dialog-text">{props.message}</p>
        {error && <p className="form-error" role="alert">{error}</p>}
        <DialogButtons busy={busy} submit={props.submit} onCancel={props.onClose} danger={props.danger} />
      </form>
    </Dialog>
  );
}

/** Where the clipboard API is not allowed (plain http on a phone): paste into a box instead. */
export function PasteDialog(props: { onPaste: (text: string) => void; onClose: () => void }) {
  const [text, setText] = useState('');
  return (
    <Dialog title="Paste into the terminal" onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (text) props.onPaste(text);
          props.onClose();
        }}
      >
        <label className="field">
          <span>Text</span>
          <textarea data-autofocus rows={5} value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <DialogButtons busy={false} submit="Paste" onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}

export function ShortcutsDialog(props: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={props.onClose}>
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.filter((s) => s.label).map((s) => (
            <tr key={s.action}>
              <td>
                {s.keys.split(' ').map((k, i) => (
                  <kbd key={i}>{k}</kbd>
                ))}
              </td>
              <td>{s.label}</td>
            </tr>
          ))}
          <tr>
            <td>
              <kbd>Esc</kbd>
            </td>
            <td>Close a dialog or menu</td>
          </tr>
        </tbody>
      </table>
      <p className="dialog-text muted">On a Mac, Alt is Option. Every other key goes to the terminal.</p>
      <div className="dialog-buttons">
        <button type="button" className="button primary" onClick={props.onClose} data-autofocus>
          Done
        </button>
      </div>
    </Dialog>
  );
}
