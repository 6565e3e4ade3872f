import { describe, expect, it } from 'vitest';
import { withoutControls } from './remote-git.js';

describe("a remote's lines", () => {
  it('lose terminal controls (colour, titles, bells) and keep their words', () => {
    expect(withoutControls('remote: \x1b[31mred\x1b[0m \x1b]0;pwned\x07done\x07\r\n')).toBe('remote: red done\r\n');
    expect(withoutControls('Receiving objects:  50% (1/2)\rReceiving objects: 100% (2/2)\n')).toBe('Receiving objects:  50% (1/2)\rReceiving objects: 100% (2/2)\n');
  });
});
