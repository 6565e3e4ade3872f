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
