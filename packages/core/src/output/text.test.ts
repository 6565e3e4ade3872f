import { describe, expect, it } from 'vitest';
import { chunkBytes, chunkTextOf } from './chunks.js';
import { renderCells, renderLine, renderLines, toText } from './text.js';

const b = (s: string) => Buffer.from(s, 'utf8');

describe('renderLine', () => {
  it('drops colours, titles, cursor keys mode and charset switches', () => {
    expect(renderLine('\x1b[1;31merror:\x1b[0m it broke')).toBe('error: it broke');
    expect(renderLine('\x1b]0;user@host: ~/src\x07$ ls')).toBe('$ ls');
    expect(renderLine('\x1b]8;;https://x.io\x1b\\link\x1b]8;;\x1b\\ text')).toBe('link text');
    expect(renderLine('\x1b[?2004h\x1b(B\x1b=prompt\x1b[?25l')).toBe('prompt');
    expect(renderLine('\x1bP+q544e\x1b\\after')).toBe('after');
  });

  it('overwrites after a carriage return, as a progress bar redraws', () => {
    expect(renderLine('progress 10%\rprogress 55%\rprogress 100%')).toBe('progress 100%');
    expect(renderLine('abcdef\rXY')).toBe('XYcdef');
    expect(renderLine('downloading\r\x1b[Kdone')).toBe('done');
    expect(renderLine('12345\r\x1b[2Kok')).toBe('ok');
  });

  it('follows backspace, tabs and cursor moves within the line', () => {
    expect(renderLine('lss\b \bx')).toBe('lsx');
    expect(renderLine('a\tb')).toBe('a       b');
    expect(renderLine('ab\x1b[3Ccd')).toBe('ab   cd');
    expect(renderLine('abcd\x1b[2Dx')).toBe('abxd');
    expect(renderLine('abcd\x1b[1Gz')).toBe('zbcd');
  });

  it('keeps non-ASCII text, and drops other control characters', () => {
    expect(renderLine('héllo 日本 🚀\x07\x0e')).toBe('héllo 日本 🚀');
    expect(renderLine('trailing   ')).toBe('trailing');
  });

  it('survives a sequence cut short at the end of the line', () => {
    expect(renderLine('text\x1b[')).toBe('text');
    expect(renderLine('text\x1b]0;never ended')).toBe('text');
    expect(renderLine('text\x1b')).toBe('text');
  });
});

describe('renderLines and toText', () => {
  it('gives each line the absolute offset of its raw bytes', () => {
    const raw = b('\x1b[32mone\x1b[0m\r\ntwo\r\nthree');
    expect(renderLines(raw, 1000)).toEqual([
      { offset: 1000, text: 'one' },
      { offset: 1000 + raw.indexOf('two'), text: 'two' },
      { offset: 1000 + raw.indexOf('three'), text: 'three' },
    ]);
    expect(toText(raw)).toBe('one\ntwo\nthree');
    expect(toText(b('a\r\nb\r\n'))).toBe('a\nb\n');
    expect(toText(b(''))).toBe('');
  });

  it('chunks tile the bytes and read back to the same text', () => {
    const raw = b(Array.from({ length: 200 }, (_, i) => `\x1b[1mline ${i}\x1b[0m\r\n${i % 10 === 0 ? '\r\n\r\n' : ''}`).join(''));
    const chunks = chunkBytes(raw, 500, 256);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks[0]!.start).toBe(500);
    expect(chunks[chunks.length - 1]!.end).toBe(500 + raw.length);
    for (let i = 1; i < chunks.length; i++) expect(chunks[i]!.start).toBe(chunks[i - 1]!.end);
    for (const c of chunks) {
      expect(c.text.length).toBeLessThanOrEqual(256 + 20);
      expect(chunkTextOf(raw.subarray(c.start - 500, c.end - 500), c.start).text).toBe(c.text);
    }
    expect(chunks.map((c) => c.text).join('\n')).toBe(Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n'));
  });

  it('indexes a repeated line (a redraw) once', () => {
    const [chunk] = chunkBytes(b('spinner\rspinner\nspinner\nspinner\ndone\n'), 0, 1000);
    expect(chunk!.text).toBe('spinner\ndone');
  });
});

describe('the fast path', () => {
  it('renders every line exactly as the full renderer does', () => {
    const pieces = ['plain words ', 'héllo 你好 😀 ', '\x1b[1;32m', '\x1b[0m', '\r', '\b', '\t', '\x1b[K', '\x1b[2K', '\x1b[1K', '\x1b[3C', '\x1b[2D', '\x1b[5G',
      '\x1b]0;title\x07', '\x1b(B', '\x07', '\x9b1m', '\x85', '\x1b', '  ', 'x'];
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 5000; n++) {
      let line = '';
      for (let k = Math.floor(rnd() * 8); k >= 0; k--) line += pieces[Math.floor(rnd() * pieces.length)];
      if (rnd() < 0.5) line += '\r';
      expect(renderLine(line), JSON.stringify(line)).toBe(renderCells(line));
    }
  });

  it('keeps byte offsets of lines right around multi-byte characters and broken sequences', () => {
    const bytes = Buffer.concat([Buffer.from('añb\n'), Buffer.from([0xe4, 0xbd]), Buffer.from('\n你\r\nend')]);
    expect(renderLines(bytes, 100)).toEqual([
      { offset: 100, text: 'añb' },
      { offset: 105, text: '\ufffd' },
      { offset: 108, text: '你' },
      { offset: 113, text: 'end' },
    ]);
  });
});
