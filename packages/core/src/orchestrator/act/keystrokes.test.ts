import { describe, expect, it } from 'vitest';
import { escapeTrailingSemicolon } from '../../tmux/index.js';
import { normaliseKeys, textProblem } from './keystrokes.js';

describe('injection input', () => {
  it('maps the key names people use onto tmux names', () => {
    expect(normaliseKeys(['Enter', 'esc', 'Escape', 'Ctrl-C', 'ctrl+d', '^C', 'C-c', 'Up', 'down', 'Tab', 'shift-tab', 'Alt-x', 'f5', 'BSpace'])).toEqual(
      ['Enter', 'Escape', 'Escape', 'C-c', 'C-d', 'C-c', 'C-c', 'Up', 'Down', 'Tab', 'BTab', 'M-x', 'F5', 'BSpace'].map((key) => ({ key })),
    );
    expect(normaliseKeys(['y', '1', ';', 'é'])).toEqual([{ literal: 'y' }, { literal: '1' }, { literal: ';' }, { literal: 'é' }]);
  });

  it('refuses anything else, naming it', () => {
    for (const bad of ['Enter; kill-server', '-t', 'C-c C-c', '\u0003', '\n', '\t', 'ab', 'Ctrl-', 'send-keys']) {
      expect(() => normaliseKeys([bad]), JSON.stringify(bad)).toThrow(/unknown key/);
    }
  });

  it('refuses control characters and broken Unicode in text', () => {
    for (const bad of ['a\nb', 'a\rb', '\u001b[2J', 'a\tb', '\u0000', '\u007f', '\u009b1m', '\ud800x']) {
      expect(textProblem(bad), JSON.stringify(bad)).not.toBeNull();
    }
    for (const ok of ['git commit -m "fix"; echo $(date)', 'é ❯ 中 😀', '-t', '#{pane_id}']) expect(textProblem(ok)).toBeNull();
  });

  it('keeps a trailing semicolon from being read as a tmux command separator', () => {
    expect(escapeTrailingSemicolon('a;')).toBe('a\\;');
    expect(escapeTrailingSemicolon('find . \\;')).toBe('find . \\\\;');
    expect(escapeTrailingSemicolon('a; b')).toBe('a; b');
  });
});
