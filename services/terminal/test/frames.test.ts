import { MAX_INPUT_FRAME_BYTES } from '@rdv/core/schemas';
import { describe, expect, it } from 'vitest';
import { AttachQuerySchema, createOutputEncoder, MAX_TEXT_FRAME_BYTES, parseClientFrame } from '../src/frames.js';
import { matchTerminalPath } from '../src/http.js';

const text = (s: string) => parseClientFrame(Buffer.from(s), false);

describe('parseClientFrame', () => {
  it('accepts the three client frames', () => {
    expect(text('{"type":"input","data":"ls\\r"}')).toEqual({ ok: true, frame: { type: 'input', data: 'ls\r' } });
    expect(text('{"type":"resize","cols":120,"rows":40}')).toEqual({ ok: true, frame: { type: 'resize', cols: 120, rows: 40 } });
    expect(text('{"type":"ping"}')).toEqual({ ok: true, frame: { type: 'ping' } });
  });

  it('takes a binary frame as input bytes', () => {
    const r = parseClientFrame(Buffer.from([0x1b, 0x5b, 0x41]), true);
    expect(r).toEqual({ ok: true, frame: { type: 'input', data: Buffer.from([0x1b, 0x5b, 0x41]) } });
    expect(parseClientFrame([Buffer.from('a'), Buffer.from('b')], true)).toEqual({ ok: true, frame: { type: 'input', data: Buffer.from('ab') } });
  });

  it('explains what is wrong with a bad frame instead of throwing', () => {
    const bad = ['', 'nope', '{"type":"input"}', '{"type":"resize","cols":1,"rows":10}', '{"type":"ping","x":1}', '42', '{"type":"exit","code":0}'];
    for (const s of bad) {
      const r = text(s);
      expect(r.ok, s).toBe(false);
      if (!r.ok) expect(r.message.length).toBeGreaterThan(0);
    }
    expect(text('{"type":"resize","cols":1,"rows":10}')).toMatchObject({ ok: false, message: expect.stringContaining('cols') });
  });

  it('refuses frames over the limits', () => {
    expect(text(JSON.stringify({ type: 'input', data: 'x'.repeat(MAX_INPUT_FRAME_BYTES + 1) }))).toMatchObject({ ok: false });
    expect(text('x'.repeat(MAX_TEXT_FRAME_BYTES + 1))).toMatchObject({ ok: false, message: expect.stringContaining('too large') });
    expect(parseClientFrame(Buffer.alloc(MAX_INPUT_FRAME_BYTES + 1), true)).toMatchObject({ ok: false });
    // A full-size input whose JSON escapes take six bytes a character still fits.
    expect(text(JSON.stringify({ type: 'input', data: '\u0001'.repeat(MAX_INPUT_FRAME_BYTES) }))).toMatchObject({ ok: true });
  });
});

describe('createOutputEncoder', () => {
  it('carries a multi-byte character split across chunks over to the next frame', () => {
    const enc = createOutputEncoder();
    const bytes = Buffer.from('a€b');
    expect(JSON.parse(enc.encode(bytes.subarray(0, 2)))).toEqual({ type: 'output', data: 'a' });
    expect(JSON.parse(enc.encode(bytes.subarray(2)))).toEqual({ type: 'output', data: '€b' });
  });
});

describe('attach URL', () => {
  it('matches /ws/terminal/:id and parses the query', () => {
    expect(matchTerminalPath('/ws/terminal/abc')).toBe('abc');
    expect(matchTerminalPath('/ws/terminal/abc/')).toBe('abc');
    expect(matchTerminalPath('/ws/terminal/')).toBeNull();
    expect(matchTerminalPath('/ws/terminal/a/b')).toBeNull();
    expect(matchTerminalPath('/ws/terminal/%E0%A4%A')).toBeNull();
    expect(AttachQuerySchema.parse({})).toEqual({ cols: 80, rows: 24, output: 'binary' });
    expect(AttachQuerySchema.parse({ cols: '132', rows: '43', output: 'json' })).toEqual({ cols: 132, rows: 43, output: 'json' });
    expect(AttachQuerySchema.safeParse({ cols: '5000' }).success).toBe(false);
  });
});

describe('isTerminalReply', () => {
  it('knows replies to terminal queries from typing', async () => {
    const { isTerminalReply } = await import('@rdv/core/schemas');
    for (const reply of ['\x1b[>0;276;0c', '\x1b[?1;2c', '\x1b]11;rgb:0000/0000/0000\x1b\\', '\x1b]10;rgb:ffff/ffff/ffff\x07', '\x1bP>|xterm.js(5.5)\x1b\\', '\x1b[?2004;1$y']) {
      expect(isTerminalReply(reply), JSON.stringify(reply)).toBe(true);
    }
    for (const typed of ['\x1b[A', 'a', '\x1b', '\x1b[>0;276;0cls\r', '\x1b[1;5R', Buffer.from('\x1b[B')]) {
      expect(isTerminalReply(typed), JSON.stringify(String(typed))).toBe(false);
    }
  });
});
