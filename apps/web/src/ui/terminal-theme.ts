import type { ITheme } from '@xterm/xterm';

/** Calm terminal palettes: soft backgrounds, readable ANSI colours in both schemes. */
export const TERMINAL_THEMES: Record<'light' | 'dark', ITheme> = {
  dark: {
    background: '#111417',
    foreground: '#d6dbe0',
    cursor: '#8fd3c1',
    cursorAccent: '#111417',
    selectionBackground: '#2f4a5a88',
    black: '#1b1f24',
    red: '#e0787a',
    green: '#8cc08a',
    yellow: '#e2c07c',
    blue: '#7fa8e0',
    magenta: '#c59ad8',
    cyan: '#7fc9c3',
    white: '#c9ced4',
    brightBlack: '#5d6670',
    brightRed: '#f09496',
    brightGreen: '#a6d6a3',
    brightYellow: '#f0d49a',
    brightBlue: '#9dbdf0',
    brightMagenta: '#d8b3e8',
    brightCyan: '#9edcd6',
    brightWhite: '#eef1f4',
  },
  light: {
    background: '#fbfbfa',
    foreground: '#24292f',
    cursor: '#2f6f62',
    cursorAccent: '#fbfbfa',
    selectionBackground: '#9cc7e866',
    black: '#24292f',
    red: '#b8373a',
    green: '#2f7a3b',
    yellow: '#8a6310',
    blue: '#2a5db0',
    magenta: '#8a3fa0',
    cyan: '#1f7a80',
    white: '#6e7781',
    brightBlack: '#57606a',
    brightRed: '#cf4e51',
    brightGreen: '#3b9149',
    brightYellow: '#a37716',
    brightBlue: '#3a6fc8',
    brightMagenta: '#a052b8',
    brightCyan: '#2a8f96',
    brightWhite: '#8c959f',
  },
};

export const TERMINAL_FONT = 'ui-monospace, "SF Mono", "Cascadia Mono", "JetBrains Mono", Menlo, "DejaVu Sans Mono", Consolas, "Liberation Mono", monospace';

/** Keys the phone key bar sends. Arrows follow the terminal's cursor-key mode (vim, less use "application" mode). */
export type KeyName = 'esc' | 'tab' | 'up' | 'down' | 'left' | 'right';

export function keySequence(key: KeyName, opts: { appCursor: boolean; ctrl: boolean }): string {
  if (key === 'esc') return '\x1b';
  if (key === 'tab') return '\t';
  const letter = { up: 'A', down: 'B', right: 'C', left: 'D' }[key];
  if (opts.ctrl) return `\x1b[1;5${letter}`;
  return opts.appCursor ? `\x1bO${letter}` : `\x1b[${letter}`;
}

/** Ctrl applied to one typed character ("c" → ETX), or null when Ctrl has no meaning for it. */
export function withCtrl(ch: string): string | null {
  if (ch.length !== 1) return null;
  if (ch === '?') return '\x7f';
  if (ch === ' ') return '\x00';
  const code = ch.toUpperCase().charCodeAt(0);
  return code >= 64 && code <= 95 ? String.fromCharCode(code - 64) : null;
}

/**
 * Answers xterm.js gives by itself to queries tmux sends on attach (device attributes,
 * version, mode and colour reports). With several browsers on one session every one of
 * them answers, and tmux types the extra answers into the shell ("0;276;0c"), so none are
 * sent: tmux works from its terminfo instead. People never type these sequences.
 */
// eslint-disable-next-line no-control-regex
const TERMINAL_REPLY = /^(?:\x1b\[[?>=][\d;]*c|\x1b\[\??[\d;]*\$y|\x1bP[>!]\|[^\x1b]*\x1b\\|\x1b\][\d;]*[^\x07\x1b]*(?:\x07|\x1b\\))+$/;

export const isTerminalReply = (data: string): boolean => data.length > 3 && TERMINAL_REPLY.test(data);
