'use client';
import type { PointerEvent } from 'react';
import type { KeyName } from './keys';

const KEYS: Array<{ key: KeyName; label: string; aria: string }> = [
  { key: 'esc', label: 'Esc', aria: 'Escape' },
  { key: 'tab', label: 'Tab', aria: 'Tab' },
];
const ARROWS: Array<{ key: KeyName; label: string; aria: string }> = [
  { key: 'left', label: '←', aria: 'Left arrow' },
  { key: 'up', label: '↑', aria: 'Up arrow' },
  { key: 'down', label: '↓', aria: 'Down arrow' },
  { key: 'right', label: '→', aria: 'Right arrow' },
];

// Keep the focus (and the phone's keyboard) in the terminal when a key is tapped.
const keepFocus = (e: PointerEvent) => e.preventDefault();

/** Keys a phone keyboard lacks: Esc, Tab, a sticky Ctrl, arrows and paste. */
export function KeyBar(props: { ctrl: boolean; onKey: (k: KeyName) => void; onCtrl: () => void; onPaste: () => void }) {
  return (
    <div className="key-bar" role="toolbar" aria-label="Terminal keys">
      {KEYS.map((k) => (
        <button key={k.key} type="button" aria-label={k.aria} onPointerDown={keepFocus} onClick={() => props.onKey(k.key)}>
          {k.label}
        </button>
      ))}
      <button type="button" aria-label="Control" aria-pressed={props.ctrl} className={props.ctrl ? 'on' : ''} onPointerDown={keepFocus} onClick={props.onCtrl}>
        Ctrl
      </button>
      <span className="key-gap" />
      {ARROWS.map((k) => (
        <button key={k.key} type="button" aria-label={k.aria} onPointerDown={keepFocus} onClick={() => props.onKey(k.key)}>
          {k.label}
        </button>
      ))}
      <span className="key-gap" />
      <button type="button" aria-label="Paste" className="wide-key" onPointerDown={keepFocus} onClick={props.onPaste}>
        Paste
      </button>
    </div>
  );
}
