'use client';
import type { Terminal } from '@xterm/xterm';
import { useEffect, useRef, useState } from 'react';
import { DisposableStore, toDisposable, type Disposable } from '@rdv/core/disposable';
import { isTerminalReply } from '@rdv/core/schemas';
import { TerminalSocket, type ConnectionState } from './terminal-socket';
import { keySequence, withCtrl, type KeyName } from './keys';
import { TERMINAL_FONT, TERMINAL_THEMES } from './terminal-theme';
import { loadRenderer, rendererChoice } from './renderer';
import { isShortcut } from '../shortcuts';

/** What the rest of the UI can do with a mounted terminal (key bar, search, shortcuts). */
export interface TerminalHandle {
  key(name: KeyName): void;
  paste(text: string): void;
  focus(): void;
  find(query: string, backwards?: boolean): boolean;
  clearFind(): void;
  /** Sticky Ctrl from the key bar: applies to the next key typed. */
  setCtrl(on: boolean): void;
  retryNow(): void;
}

export interface TerminalViewProps {
  sessionId: string;
  /** The host the session runs on; absent: this machine. */
  hostId?: string;
  visible: boolean;
  scheme: 'light' | 'dark';
  compact: boolean;
  register: (id: string, handle: TerminalHandle | null) => void;
  onState: (id: string, state: ConnectionState) => void;
  onCtrlUsed: () => void;
}

/** A DOM listener as a disposable. */
function listen(target: EventTarget, type: string, fn: () => void): Disposable {
  target.addEventListener(type, fn);
  return toDisposable(() => target.removeEventListener(type, fn));
}

/**
 * One session's xterm.js terminal and its websocket. It stays mounted while its tab is
 * open (hidden when not selected) so switching tabs is instant and nothing reconnects.
 */
export function TerminalView(props: TerminalViewProps) {
  const host = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const fitRef = useRef<(() => void) | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const [ready, setReady] = useState(false);

  useEffect(() => {
    // Everything this terminal holds (xterm, socket, observer, listeners, frame) goes in
    // here; disposing it in the effect's cleanup lets each go once, newest first, even if
    // the cleanup runs while xterm.js is still loading (anything added later goes at once).
    const store = new DisposableStore();
    void (async () => {
      const [{ Terminal }, { FitAddon }, { WebLinksAddon }, { SearchAddon }] = await Promise.all([
        import('@xterm/xterm'),
        import('@xterm/addon-fit'),
        import('@xterm/addon-web-links'),
        import('@xterm/addon-search'),
      ]);
      if (store.isDisposed || !host.current) return;
      const { sessionId, hostId } = latest.current;
      const term = store.add(
        new Terminal({
          fontFamily: TERMINAL_FONT,
          fontSize: latest.current.compact ? 12 : 13,
          lineHeight: 1.15,
          scrollback: 5000,
          cursorBlink: false,
          allowProposedApi: true,
          theme: TERMINAL_THEMES[latest.current.scheme],
        }),
      );
      store.add(toDisposable(() => void (termRef.current = null)));
      const fit = new FitAddon();
      const search = new SearchAddon();
      term.loadAddon(fit);
      term.loadAddon(search);
      term.loadAddon(new WebLinksAddon((_e, uri) => window.open(uri, '_blank', 'noopener,noreferrer')));
      term.open(host.current);
      termRef.current = term;
      // Reachable from its element for devtools and the browser bench (what is in the buffer, when it rendered).
      const el = host.current as HTMLDivElement & { terminal?: Terminal };
      el.terminal = term;
      store.add(toDisposable(() => void delete el.terminal));
      const renderer = await loadRenderer(term, rendererChoice(), (r) => host.current?.setAttribute('data-renderer', r));
      // Unmounted while the renderer loaded: the terminal went with the store, its addons with it.
      if (store.isDisposed) return;
      store.add(renderer);
      // Shortcuts belong to the app, not the shell.
      term.attachCustomKeyEventHandler((e) => !isShortcut(e));
      const refit = () => {
        const el = host.current;
        if (!el || el.clientWidth === 0 || el.clientHeight === 0) return;
        try {
          fit.fit();
        } catch {
          // The renderer is not measured yet (font loading); the next resize fits.
        }
      };
      fitRef.current = refit;
      refit();

      const socket = store.add(
        new TerminalSocket(sessionId, {
          onOutput: (data) => term.write(data),
          onAttach: () => term.reset(),
          onState: (state) => latest.current.onState(sessionId, state),
        }, hostId),
      );
      let ctrl = false;
      store.add(
        term.onData((data) => {
          // xterm.js answers tmux's queries by itself; the browser never sends those answers (see isTerminalReply).
          if (isTerminalReply(data)) return;
          if (ctrl) {
            ctrl = false;
            latest.current.onCtrlUsed();
            const mapped = withCtrl(data);
            if (mapped !== null) return socket.send(mapped);
          }
          socket.send(data);
        }),
      );
      store.add(term.onResize(({ cols, rows }) => socket.resize(cols, rows)));
      socket.connect(term.cols, term.rows);

      let frame = 0;
      const observer = new ResizeObserver(() => {
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(refit);
      });
      observer.observe(host.current);
      store.add(toDisposable(() => observer.disconnect()));
      store.add(toDisposable(() => cancelAnimationFrame(frame)));
      const onVisible = () => document.visibilityState === 'visible' && socket.retryNow();
      store.add(listen(document, 'visibilitychange', onVisible));
      store.add(listen(window, 'online', onVisible));

      const handle: TerminalHandle = {
        key(name) {
          const seq = keySequence(name, { appCursor: term.modes.applicationCursorKeysMode, ctrl });
          if (ctrl) {
            ctrl = false;
            latest.current.onCtrlUsed();
          }
          socket.send(seq);
        },
        paste: (text) => term.paste(text),
        focus: () => term.focus(),
        find: (q, backwards) => (backwards ? search.findPrevious(q) : search.findNext(q)),
        clearFind: () => search.clearDecorations(),
        setCtrl: (on) => {
          ctrl = on;
        },
        retryNow: () => socket.retryNow(),
      };
      latest.current.register(sessionId, handle);
      store.add(toDisposable(() => latest.current.register(sessionId, null)));
      setReady(true);
    })();
    return () => {
      // Each part's dispose is synchronous; the store only reports one that throws.
      store.dispose().catch((err: unknown) => console.error('terminal cleanup failed', err));
    };
  }, [props.sessionId]);

  useEffect(() => {
    if (termRef.current) termRef.current.options.theme = TERMINAL_THEMES[props.scheme];
  }, [props.scheme, ready]);

  useEffect(() => {
    if (termRef.current) termRef.current.options.fontSize = props.compact ? 12 : 13;
    fitRef.current?.();
  }, [props.compact, ready]);

  useEffect(() => {
    if (!props.visible || !ready) return;
    fitRef.current?.();
    // Focus only where there is a hardware keyboard; on a phone it would pop the keyboard up.
    if (!props.compact) termRef.current?.focus();
  }, [props.visible, ready, props.compact]);

  return <div className="terminal-host" ref={host} data-session={props.sessionId} />;
}
