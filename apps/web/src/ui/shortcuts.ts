'use client';
import { useEffect, useRef } from 'react';

export type ShortcutAction =
  | 'newSession'
  | 'newFolder'
  | 'nextTab'
  | 'prevTab'
  | 'closeTab'
  | 'toggleSidebar'
  | 'find'
  | 'searchAll'
  | 'help'
  | `tab${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9}`;

/**
 * Desktop shortcuts. All use Alt+Shift (Option+Shift on a Mac) or Alt+digit, which shells
 * and agents rarely need and browsers do not reserve; everything else goes to the terminal.
 */
export const SHORTCUTS: Array<{ code: string; shift: boolean; action: ShortcutAction; keys: string; label: string }> = [
  { code: 'KeyN', shift: true, action: 'newSession', keys: 'Alt Shift N', label: 'New session' },
  { code: 'KeyM', shift: true, action: 'newFolder', keys: 'Alt Shift M', label: 'New folder' },
  { code: 'BracketRight', shift: true, action: 'nextTab', keys: 'Alt Shift ]', label: 'Next tab' },
  { code: 'BracketLeft', shift: true, action: 'prevTab', keys: 'Alt Shift [', label: 'Previous tab' },
  { code: 'KeyW', shift: true, action: 'closeTab', keys: 'Alt Shift W', label: 'Close tab (the session keeps running)' },
  { code: 'KeyB', shift: true, action: 'toggleSidebar', keys: 'Alt Shift B', label: 'Show or hide the sidebar' },
  { code: 'KeyF', shift: true, action: 'find', keys: 'Alt Shift F', label: 'Find in the terminal' },
  { code: 'KeyK', shift: true, action: 'searchAll', keys: 'Ctrl K (⌘ K), Alt Shift K', label: 'Search the output of all sessions' },
  { code: 'Slash', shift: true, action: 'help', keys: 'Alt Shift ?', label: 'Keyboard shortcuts' },
  ...([1, 2, 3, 4, 5, 6, 7, 8, 9] as const).map((n) => ({
    code: `Digit${n}`,
    shift: false,
    action: `tab${n}` as ShortcutAction,
    keys: n === 1 ? 'Alt 1 … 9' : '',
    label: n === 1 ? 'Go to tab 1 … 9' : '',
  })),
];

/** Where the "command key" is ⌘ (Ctrl stays the terminal's there), not Ctrl. */
const isMac = () => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** The shortcut a key event means, if any. */
export function shortcutFor(e: KeyboardEvent): ShortcutAction | null {
  if (e.type !== 'keydown') return null;
  // Search across sessions: Ctrl K, or ⌘ K on a Mac (the usual "go anywhere" key).
  if (e.code === 'KeyK' && !e.altKey && !e.shiftKey && (isMac() ? e.metaKey && !e.ctrlKey : e.ctrlKey && !e.metaKey)) return 'searchAll';
  if (!e.altKey || e.ctrlKey || e.metaKey) return null;
  const hit = SHORTCUTS.find((s) => s.code === e.code && s.shift === e.shiftKey);
  return hit?.action ?? null;
}

export const isShortcut = (e: KeyboardEvent): boolean => shortcutFor(e) !== null;

/** Runs `onAction` for shortcuts, before the terminal sees the key (capture phase). */
export function useShortcuts(onAction: (action: ShortcutAction) => void): void {
  const ref = useRef(onAction);
  ref.current = onAction;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const action = shortcutFor(e);
      if (!action) return;
      e.preventDefault();
      e.stopPropagation();
      ref.current(action);
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);
}
