'use client';
import { useState } from 'react';
import { CloseIcon } from '../icons';
import type { TerminalHandle } from './terminal-view';

/** Find in the terminal's scrollback (Alt Shift F). Enter: next, Shift Enter: previous, Esc: close. */
export function SearchBar(props: { terminal: () => TerminalHandle | undefined; onClose: () => void }) {
  const [query, setQuery] = useState('');
  const [missing, setMissing] = useState(false);
  const find = (backwards: boolean) => {
    const t = props.terminal();
    if (!query || !t) return;
    setMissing(!t.find(query, backwards));
  };
  const close = () => {
    props.terminal()?.clearFind();
    props.onClose();
    props.terminal()?.focus();
  };
  return (
    <div className="search-bar" role="search">
      <input
        autoFocus
        value={query}
        placeholder="Find in terminal"
        aria-label="Find in terminal"
        className={missing ? 'missing' : ''}
        onChange={(e) => {
          setQuery(e.target.value);
          setMissing(false);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            find(e.shiftKey);
          } else if (e.key === 'Escape') {
            e.preventDefault();
            close();
          }
        }}
      />
      <button type="button" className="button ghost small" onClick={() => find(true)} aria-label="Previous match">
        ↑
      </button>
      <button type="button" className="button ghost small" onClick={() => find(false)} aria-label="Next match">
        ↓
      </button>
      <button type="button" className="icon-button" onClick={close} aria-label="Close search">
        <CloseIcon />
      </button>
    </div>
  );
}
