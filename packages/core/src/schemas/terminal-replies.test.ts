import { describe, expect, it } from 'vitest';
import { isTerminalReply } from './index.js';

describe('isTerminalReply', () => {
  it("counts what xterm.js answers to tmux's and programs' queries", () => {
    for (const reply of [
      '\x1b[?1;2c', // DA1
      '\x1b[>0;276;0c', // DA2
      '\x1bP!|00000000\x1b\\', // DA3
      '\x1bP>|xterm.js(5.5.0)\x1b\\', // XTVERSION
      '\x1bP1$r0m\x1b\\', // DECRQSS
      '\x1b[0n', // DSR: ready
      '\x1b[?12;40R', // DECXCPR
      '\x1b[?2004;1$y', // DECRPM
      '\x1b[4;1$y',
      '\x1b]10;rgb:ffff/ffff/ffff\x07', // OSC 10, BEL-terminated
      '\x1b]11;rgb:1111/1414/1717\x1b\\', // OSC 11, ST-terminated
      '\x1b]4;1;rgb:e0e0/7878/7a7a\x1b\\', // OSC 4
      '\x1b[>0;276;0c\x1bP>|xterm.js(5.5.0)\x1b\\', // several in one chunk
    ]) {
      expect(isTerminalReply(reply), JSON.stringify(reply)).toBe(true);
      expect(isTerminalReply(new TextEncoder().encode(reply)), `bytes ${JSON.stringify(reply)}`).toBe(true);
    }
  });

  it('never counts typing, keys or pastes', () => {
    for (const typed of [
      'a',
      'c',
      '\x1b',
      '\x1b[A', // arrow
      '\x1bOA', // arrow, application mode
      '\x1b[1;5R', // Ctrl+F3 looks like a cursor report: it is typing
      '\x1b[12;40R',
      '\x1b[>0;276;0cls\r', // a reply followed by typing
      '\x1b[200~echo \x1b[>0c\x1b[201~', // a bracketed paste that contains one
      '\x1b]', // Alt+]
      '\x1bP', // Alt+Shift+P
      '',
    ]) {
      expect(isTerminalReply(typed), JSON.stringify(typed)).toBe(false);
      expect(isTerminalReply(new TextEncoder().encode(typed)), `bytes ${JSON.stringify(typed)}`).toBe(false);
    }
  });
});
