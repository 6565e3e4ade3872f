'use client';
import type { Terminal } from '@xterm/xterm';
import { readOutputBytes, readOutputText, type RdvClient } from '@rdv/client';
import { DisposableStore, toDisposable } from '@rdv/core/disposable';
import type { Session } from '@rdv/core/schemas';
import { useEffect, useRef, useState } from 'react';
import { messageOf } from '../state/actions';
import type { Place } from '../state/model';
import { forReplay } from './replay';
import type { TerminalHandle } from './terminal-view';
import { TERMINAL_FONT, TERMINAL_THEMES } from './terminal-theme';

/** How much of a log is replayed at once: the end of it, or this much around a place. */
const WINDOW_BYTES = 4 * 1024 * 1024;
const EMPTY = new Uint8Array(0);

interface Loaded {
  /** Bytes before the place (or all of them), and from the place on. */
  before: Uint8Array;
  after: Uint8Array;
  /** Older output exists than what is shown. */
  cut: boolean;
  empty: boolean;
}

/** The window of the log to replay: its last WINDOW_BYTES, or WINDOW_BYTES around `offset`. */
async function loadWindow(api: RdvClient, id: string, offset: number | null): Promise<Loaded> {
  const { logStart, logEnd } = await readOutputText(api, id, { limit: 1 });
  if (logEnd <= logStart) return { before: EMPTY, after: EMPTY, cut: false, empty: true };
  const bytes = (from: number, to: number) => (to > from ? readOutputBytes(api, id, { from, limit: to - from }) : Promise.resolve(EMPTY));
  if (offset === null) {
    const from = Math.max(logStart, logEnd - WINDOW_BYTES);
    return { before: await bytes(from, logEnd), after: EMPTY, cut: from > logStart, empty: false };
  }
  const at = Math.min(Math.max(offset, logStart), logEnd);
  const from = Math.max(logStart, at - WINDOW_BYTES / 2);
  const [before, after] = await Promise.all([bytes(from, at), bytes(at, Math.min(logEnd, at + WINDOW_BYTES / 2))]);
  return { before, after, cut: from > logStart, empty: false };
}

const written = (term: Terminal, data: Uint8Array) => new Promise<void>((resolve) => term.write(forReplay(data), resolve));

export interface HistoryViewProps {
  api: RdvClient;
  session: Session;
  place: Place | undefined;
  scheme: 'light' | 'dark';
  compact: boolean;
  /** Registers the find handle (under `history:<id>`). */
  register: (key: string, handle: TerminalHandle | null) => void;
}

/**
 * A session's output log replayed into a read-only xterm.js terminal: for sessions that
 * ended, and for a place a search found. At a place, the view scrolls to its line and
 * selects it.
 */
export function HistoryView(props: HistoryViewProps) {
  const host = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const [status, setStatus] = useState<{ kind: 'loading' } | { kind: 'shown'; cut: boolean; empty: boolean } | { kind: 'failed'; message: string }>({ kind: 'loading' });
  const id = props.session.id;
  const offset = props.place?.offset ?? null;
  const seq = props.place?.seq ?? 0;

  useEffect(() => {
    const store = new DisposableStore();
    setStatus({ kind: 'loading' });
    void (async () => {
      const [{ Terminal }, { FitAddon }, { SearchAddon }] = await Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit'), import('@xterm/addon-search')]);
      if (store.isDisposed || !host.current) return;
      const { compact, scheme } = latest.current;
      const term = store.add(
        new Terminal({ fontFamily: TERMINAL_FONT, fontSize: compact ? 12 : 13, lineHeight: 1.15, scrollback: 200_000, disableStdin: true, cursorBlink: false, theme: TERMINAL_THEMES[scheme] }),
      );
      termRef.current = term;
      store.add(toDisposable(() => void (termRef.current = null)));
      const fit = new FitAddon();
      const search = new SearchAddon();
      term.loadAddon(fit);
      term.loadAddon(search);
      term.open(host.current);
      const refit = () => {
        const el = host.current;
        if (!el || el.clientWidth === 0 || el.clientHeight === 0) return;
        try {
          fit.fit();
        } catch {
          // Not measured yet (fonts loading): the next resize fits.
        }
      };
      refit();
      // A tab shown later, or a window resized: fit again (xterm.js reflows what was replayed).
      const observer = new ResizeObserver(() => refit());
      observer.observe(host.current);
      store.add(toDisposable(() => observer.disconnect()));
      const key = `history:${id}`;
      latest.current.register(key, {
        key: () => {},
        paste: () => {},
        focus: () => term.focus(),
        find: (q, backwards) => (backwards ? search.findPrevious(q) : search.findNext(q)),
        clearFind: () => search.clearDecorations(),
        setCtrl: () => {},
        retryNow: () => {},
      });
      store.add(toDisposable(() => latest.current.register(key, null)));
      try {
        const loaded = await loadWindow(latest.current.api, id, offset);
        if (store.isDisposed) return;
        await written(term, loaded.before);
        const buffer = term.buffer.active;
        const line = buffer.baseY + buffer.cursorY;
        await written(term, loaded.after);
        // Read-only: no cursor.
        term.write('\x1b[?25l');
        if (offset !== null && !loaded.empty) {
          term.scrollToLine(Math.max(0, line - 3));
          term.selectLines(line, line);
        } else {
          term.scrollToBottom();
        }
        setStatus({ kind: 'shown', cut: loaded.cut, empty: loaded.empty });
      } catch (err) {
        if (!store.isDisposed) setStatus({ kind: 'failed', message: messageOf(err) });
      }
    })();
    return () => {
      store.dispose().catch((err: unknown) => console.error('history view cleanup failed', err));
    };
  }, [id, offset, seq]);

  useEffect(() => {
    if (termRef.current) termRef.current.options.theme = TERMINAL_THEMES[props.scheme];
  }, [props.scheme, status.kind]);

  return (
    <div className="history">
      <div className="terminal-host history-host" ref={host} data-history={id} />
      {status.kind === 'loading' && <div className="overlay connecting" role="status">Loading the output log…</div>}
      {status.kind === 'failed' && <div className="overlay connecting" role="alert">Could not load the output log: {status.message}</div>}
      {status.kind === 'shown' && status.empty && <div className="overlay connecting" role="status">This session printed nothing.</div>}
      {status.kind === 'shown' && status.cut && <div className="overlay connecting" role="status">Earlier output is further up the log (rdv session log --all)</div>}
    </div>
  );
}
