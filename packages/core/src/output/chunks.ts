import { renderLines, type TextLine } from './text.js';

/** A run of whole lines of one log: [start, end) in absolute offsets, and the text indexed for it. */
export interface Chunk {
  start: number;
  end: number;
  lines: TextLine[];
  text: string;
}

/**
 * The lines worth indexing: empty lines and a line repeating the one before (a
 * full-screen program redrawing, a spinner) say nothing new.
 */
function keptLines(lines: TextLine[]): TextLine[] {
  const out: TextLine[] = [];
  for (const line of lines) {
    if (!line.text.trim()) continue;
    if (out.length && out[out.length - 1]!.text === line.text) continue;
    out.push(line);
  }
  return out;
}

/**
 * Splits raw bytes (absolute offset `offset`) into chunks of about `chunkChars`
 * characters of text. Chunks tile the bytes: each ends where the next begins, the last
 * at the end of `bytes`, so re-reading a chunk's range gives back the same text.
 */
export function chunkBytes(bytes: Uint8Array, offset: number, chunkChars: number): Chunk[] {
  const lines = renderLines(bytes, offset);
  const chunks: Chunk[] = [];
  let group: TextLine[] = [];
  let size = 0;
  const flush = (end: number) => {
    const kept = keptLines(group);
    if (kept.length) chunks.push({ start: group[0]!.offset, end, lines: kept, text: kept.map((l) => l.text).join('\n') });
    group = [];
    size = 0;
  };
  for (const line of lines) {
    if (size > 0 && size + line.text.length > chunkChars) flush(line.offset);
    group.push(line);
    size += line.text.length + 1;
  }
  if (group.length) flush(offset + bytes.length);
  return chunks;
}

/** The text a chunk was indexed with, from its bytes (as read back from the log). */
export function chunkTextOf(bytes: Uint8Array, offset: number): { lines: TextLine[]; text: string } {
  const lines = keptLines(renderLines(bytes, offset));
  return { lines, text: lines.map((l) => l.text).join('\n') };
}
