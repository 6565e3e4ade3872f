import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../testing/index.js';
import { deleteOutput, moveOutputToTrash, openLogSnapshot, outputDir, restoreOutputFromTrash } from './files.js';
import { readOutput } from './read.js';

/** A log as the writer leaves it after rotations: 1000 bytes dropped, then .2, .1 and the live file. */
function rotatedLog(): { dir: string; all: string } {
  const dir = useTempDir();
  const lines = Array.from({ length: 60 }, (_, i) => `\x1b[33mline ${String(i).padStart(2, '0')}\x1b[0m\r\n`);
  writeFileSync(join(dir, 'output.log.base'), '1000\n');
  writeFileSync(join(dir, 'output.log.2'), lines.slice(0, 20).join(''));
  writeFileSync(join(dir, 'output.log.1'), lines.slice(20, 40).join(''));
  writeFileSync(join(dir, 'output.log'), lines.slice(40).join('') + 'partial \x1b[1mprompt$ ');
  return { dir, all: lines.join('') + 'partial \x1b[1mprompt$ ' };
}

describe('readOutput', () => {
  it('reads the rotated files in order, at absolute offsets', () => {
    const { dir, all } = rotatedLog();
    const raw = readOutput(dir, { format: 'raw' });
    expect(raw).toMatchObject({ start: 1000, end: 1000 + all.length, logStart: 1000, logEnd: 1000 + all.length, more: false });
    expect(raw.format === 'raw' && raw.data.toString()).toBe(all);
    const text = readOutput(dir);
    expect(text.format === 'text' && text.text).toBe(Array.from({ length: 60 }, (_, i) => `line ${String(i).padStart(2, '0')}\n`).join('') + 'partial prompt$');
  });

  it('pages by byte ranges; text pages end at a line end so the next starts one', () => {
    const { dir, all } = rotatedLog();
    // 18 raw bytes a line: 100 bytes hold five whole lines and part of a sixth.
    const first = readOutput(dir, { limitBytes: 100 });
    expect(first).toMatchObject({ start: 1000, end: 1090, more: true });
    expect(first.format === 'text' && first.text).toBe('line 00\nline 01\nline 02\nline 03\nline 04\n');
    const second = readOutput(dir, { from: first.end, limitBytes: 100 });
    expect(second.format === 'text' && second.text.startsWith('line 05\n')).toBe(true);
    // A raw page spanning two files, and an offset before the kept start, clamped to it.
    const at = 1000 + all.indexOf('line 19');
    const span = readOutput(dir, { format: 'raw', from: at, limitBytes: 40 });
    expect(span.format === 'raw' && span.data.toString()).toBe(all.slice(at - 1000, at - 1000 + 40));
    expect(readOutput(dir, { from: 3 })).toMatchObject({ start: 1000 });
    expect(readOutput(dir, { from: 10 ** 9 })).toMatchObject({ start: 1000 + all.length, end: 1000 + all.length, more: false });
  });

  it('gives the last N lines, the line being written counting as one', () => {
    const { dir } = rotatedLog();
    const tail = readOutput(dir, { tail: 3 });
    expect(tail.format === 'text' && tail.text).toBe('line 58\nline 59\npartial prompt$');
    const across = readOutput(dir, { tail: 45 });
    expect(across.format === 'text' && across.text.split('\n')[0]).toBe('line 16');
    const everything = readOutput(dir, { tail: 10_000 });
    expect(everything.start).toBe(1000);
    // Bounded by bytes: starts at the first whole line inside the limit.
    const bounded = readOutput(dir, { tail: 10_000, limitBytes: 50 });
    expect(bounded.format === 'text' && bounded.text).toBe('line 59\npartial prompt$');
  });

  it('reads a session without a log as empty, and refuses bad ranges', () => {
    const dir = join(useTempDir(), 'never-logged');
    expect(readOutput(dir)).toMatchObject({ format: 'text', text: '', start: 0, end: 0, logEnd: 0, more: false });
    expect(() => readOutput(dir, { from: -1 })).toThrow(/from must be/);
    expect(() => readOutput(dir, { tail: 0 })).toThrow(/tail must be/);
    expect(() => readOutput(dir, { limitBytes: 17 * 1024 * 1024 })).toThrow(/limitBytes/);
  });

  it('waits out a half-done rotation instead of shifting offsets', () => {
    const { dir } = rotatedLog();
    // .2 without .1: the writer is between its two renames (or died there).
    rmSync(join(dir, 'output.log.1'));
    const t0 = Date.now();
    const snap = openLogSnapshot(dir);
    snap.close();
    // Retried for a while, then accepted as it is.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(20);
    expect(snap.parts.map((p) => p.name)).toEqual(['output.log.2', 'output.log']);
  });
});

describe('output folders', () => {
  it('go to the trash with their session, come back, and are deleted', () => {
    const home = useTempDir();
    const sessionsDir = join(home, 'sessions');
    const id = '0b7f9c1e-3c55-4f55-9a55-1c0d5e4e7a10';
    const dir = outputDir(sessionsDir, id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'output.log'), 'kept\n');
    const entry = join(home, 'trash', 'entry-1');
    expect(moveOutputToTrash(sessionsDir, id, entry)).toBe(true);
    expect(existsSync(dir)).toBe(false);
    expect(readOutput(join(entry, 'output'))).toMatchObject({ text: 'kept\n' });
    expect(moveOutputToTrash(sessionsDir, id, entry)).toBe(false);
    expect(restoreOutputFromTrash(entry, sessionsDir, id)).toBe(true);
    expect(readOutput(dir)).toMatchObject({ text: 'kept\n' });
    deleteOutput(sessionsDir, id);
    deleteOutput(sessionsDir, id);
    expect(existsSync(dir)).toBe(false);
    expect(() => outputDir(sessionsDir, '../etc')).toThrow(/invalid session id/);
  });
});
