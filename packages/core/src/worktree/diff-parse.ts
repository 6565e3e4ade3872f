// Reading what `git diff` prints: the file list (`--raw -z`), the line counts
// (`--numstat -z`) and the unified diff split into one piece per file.
import type { WorktreeDiffFile } from '../schemas/index.js';

export interface RawEntry {
  path: string;
  oldPath: string | null;
  status: WorktreeDiffFile['status'];
}

const STATUS_OF: Record<string, WorktreeDiffFile['status']> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  R: 'renamed',
  C: 'copied',
  T: 'typechange',
  U: 'unmerged',
};

/** `git diff --raw -z`: `:<modes> <shas> <status>\0<path>\0` (a second path for renames and copies). */
export function parseRawZ(text: string): RawEntry[] {
  const tokens = text.split('\0');
  const out: RawEntry[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const head = tokens[i]!;
    if (!head.startsWith(':')) continue;
    const letter = head.trim().split(' ').pop()?.[0] ?? 'M';
    const status = STATUS_OF[letter] ?? 'modified';
    if (letter === 'R' || letter === 'C') {
      out.push({ oldPath: tokens[i + 1]!, path: tokens[i + 2]!, status });
      i += 2;
    } else {
      out.push({ oldPath: null, path: tokens[i + 1]!, status });
      i += 1;
    }
  }
  return out;
}

export interface LineCounts {
  additions: number | null;
  deletions: number | null;
}

/** `git diff --numstat -z`, keyed by the new path; `-` counts (binary files) become null. */
export function parseNumstatZ(text: string): Map<string, LineCounts> {
  const tokens = text.split('\0');
  const out = new Map<string, LineCounts>();
  for (let i = 0; i < tokens.length; i++) {
    const m = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(tokens[i]!);
    if (!m) continue;
    const counts = { additions: m[1] === '-' ? null : Number(m[1]), deletions: m[2] === '-' ? null : Number(m[2]) };
    if (m[3] === '') {
      // A rename or copy: the old and the new path follow as tokens of their own.
      out.set(tokens[i + 2]!, counts);
      i += 2;
    } else {
      out.set(m[3]!, counts);
    }
  }
  return out;
}

const C_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\v': '\\v', '\f': '\\f', '\r': '\\r', '"': '\\"', '\\': '\\\\' };

/** A path as git writes it in a diff header with core.quotePath=false (C-quoted when it holds `"`, `\` or control characters). */
export function quoteGitPath(path: string): string {
  if (!/["\\\u0000-\u001f\u007f]/.test(path)) return path;
  let out = '"';
  for (const ch of path) {
    const code = ch.charCodeAt(0);
    if (C_ESCAPES[ch]) out += C_ESCAPES[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString(8).padStart(3, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** The first line git writes for a file's diff (with the a/ and b/ prefixes rdv asks for). */
export const diffHeader = (e: RawEntry): string => `diff --git ${quoteGitPath(`a/${e.oldPath ?? e.path}`)} ${quoteGitPath(`b/${e.path}`)}`;

export interface PatchPiece {
  header: string;
  /** The text kept (empty once the piece passed `maxFileBytes`). */
  text: string;
  bytes: number;
  tooLarge: boolean;
}

const NL = 0x0a;
const HEADER = Buffer.from('diff --git ');

/**
 * Splits a streamed unified diff into one piece per file (each starts at a `diff --git`
 * line; a content line never does, it starts with ' ', '+', '-' or '\'). A piece keeps at
 * most `maxFileBytes` of text; past that only its size is counted, so memory stays bounded
 * however large one file's diff is. `onPiece` gets each piece when it is complete and
 * returns false to stop reading.
 */
export function createPatchSplitter(maxFileBytes: number, onPiece: (piece: PatchPiece) => boolean) {
  let current: { header: Buffer[]; parts: Buffer[]; bytes: number; tooLarge: boolean; headerDone: boolean } | null = null;
  let atLineStart = true;
  let stopped = false;
  // The start of a line too short yet to tell whether it is a header: read again with the next chunk.
  let carry: Buffer | null = null;

  const finish = () => {
    if (!current || stopped) return;
    const piece = current;
    current = null;
    const header = Buffer.concat(piece.header).toString('utf8').replace(/\n$/, '');
    const text = piece.tooLarge ? '' : Buffer.concat(piece.parts).toString('utf8');
    if (!onPiece({ header, text, bytes: piece.bytes, tooLarge: piece.tooLarge })) stopped = true;
  };
  const append = (slice: Buffer) => {
    if (!current) return; // text before the first header (none expected) belongs to no file
    current.bytes += slice.length;
    if (!current.headerDone) current.header.push(slice);
    if (current.tooLarge) return;
    if (current.bytes > maxFileBytes) {
      current.tooLarge = true;
      current.parts = [];
      return;
    }
    current.parts.push(slice);
  };

  return {
    get stopped() {
      return stopped;
    },
    push(data: Buffer) {
      const chunk = carry ? Buffer.concat([carry, data]) : data;
      carry = null;
      let start = 0;
      while (start < chunk.length && !stopped) {
        const nl = chunk.indexOf(NL, start);
        const end = nl === -1 ? chunk.length : nl + 1;
        const slice = chunk.subarray(start, end);
        if (nl === -1 && atLineStart && slice.length < HEADER.length) {
          carry = Buffer.from(slice);
          return;
        }
        if (atLineStart && slice.length >= HEADER.length && slice.subarray(0, HEADER.length).equals(HEADER)) {
          finish();
          if (stopped) return;
          current = { header: [], parts: [], bytes: 0, tooLarge: false, headerDone: false };
        }
        append(slice);
        if (current && nl !== -1) current.headerDone = true;
        atLineStart = nl !== -1;
        start = end;
      }
    },
    end() {
      if (carry && !stopped) append(carry);
      carry = null;
      finish();
    },
  };
}
