/**
 * Terminal output as plain text. The log holds what programs wrote to the terminal:
 * escape sequences (colour, cursor moves, titles), carriage returns that redraw a line
 * (progress bars, prompts), backspaces. Text is rendered one line (up to a newline) at a
 * time, as a terminal would show that line: escape sequences dropped, `\r` and `\b` move
 * a cursor that later characters overwrite from, "erase in line" honoured. Moves to other
 * lines (full-screen programs) are not followed; their text still comes through.
 */

const ESC = 0x1b;
const TAB_WIDTH = 8;
/** A runaway escape string (an OSC never terminated) is dropped after this many characters. */
const MAX_STRING = 4096;

const isFinal = (c: number) => c >= 0x40 && c <= 0x7e;

// Characters that need more than copying: C0 and C1 controls (ESC among them) and DEL.
const SPECIAL = /[\x00-\x1f\x7f-\x9f]/g;

/**
 * The common line, fast: text runs copied whole, escape sequences that do not move the
 * cursor (colours) skipped, a final \r (of \r\n) ignored. Null when the line needs the
 * full renderer (a \r or \b that redraws, a tab, cursor moves, erasing, other controls).
 */
function renderPlain(raw: string): string | null {
  let out = '';
  let i = 0;
  SPECIAL.lastIndex = 0;
  for (let m = SPECIAL.exec(raw); m; m = SPECIAL.exec(raw)) {
    const at = m.index;
    out += raw.slice(i, at);
    const c = raw.charCodeAt(at);
    if (c === ESC || c === 0x9b || c === 0x9d || c === 0x90) {
      let moves = false;
      i = skipEscape(raw, at, (final) => {
        if (final === 'K' || final === 'C' || final === 'D' || final === 'G') moves = true;
      });
      if (moves) return null;
    } else if (c === 0x0d && at === raw.length - 1) {
      i = raw.length;
    } else return null;
    SPECIAL.lastIndex = i;
  }
  return (out + raw.slice(i)).trimEnd();
}

/** Renders one line of raw terminal output (no `\n` in it) to the text a terminal would show. */
export function renderLine(raw: string): string {
  return renderPlain(raw) ?? renderCells(raw);
}

/** The full renderer: a row of cells that \r, \b, tabs, cursor moves and erasing act on. */
export function renderCells(raw: string): string {
  const cells: string[] = [];
  let col = 0;
  const put = (ch: string) => {
    while (cells.length < col) cells.push(' ');
    cells[col++] = ch;
  };
  let i = 0;
  while (i < raw.length) {
    const c = raw.charCodeAt(i);
    if (c === ESC || c === 0x9b || c === 0x9d || c === 0x90) {
      i = skipEscape(raw, i, (final, params) => {
        const n = Number.parseInt(params, 10);
        if (final === 'K') {
          if (params === '' || params === '0') cells.length = Math.min(cells.length, col);
          else if (params === '1') for (let k = 0; k < Math.min(col, cells.length); k++) cells[k] = ' ';
          else if (params === '2') cells.length = 0;
        } else if (final === 'C') col += Number.isNaN(n) || n < 1 ? 1 : n;
        else if (final === 'D') col = Math.max(0, col - (Number.isNaN(n) || n < 1 ? 1 : n));
        else if (final === 'G') col = Math.max(0, (Number.isNaN(n) || n < 1 ? 1 : n) - 1);
      });
      continue;
    }
    i++;
    if (c === 0x0d) col = 0;
    else if (c === 0x08) col = Math.max(0, col - 1);
    else if (c === 0x09) {
      const next = (Math.floor(col / TAB_WIDTH) + 1) * TAB_WIDTH;
      while (col < next) put(' ');
    } else if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0)) {
      // Other control characters (bell, shift in/out, C1) show nothing.
    } else if (c >= 0xd800 && c <= 0xdbff && i < raw.length) {
      put(raw[i - 1]! + raw[i]!);
      i++;
    } else put(raw[i - 1]!);
  }
  return cells.join('').trimEnd();
}

/**
 * Skips the escape sequence at `start`; returns the index after it. A CSI sequence's
 * final byte and parameters go to `onCsi`. An unterminated sequence ends the line.
 */
function skipEscape(raw: string, start: number, onCsi: (final: string, params: string) => void): number {
  const first = raw.charCodeAt(start);
  let i = start + 1;
  let kind: 'csi' | 'string';
  if (first === 0x9b) kind = 'csi';
  else if (first === 0x9d || first === 0x90) kind = 'string';
  else {
    const next = raw[i];
    if (next === undefined) return i;
    i++;
    if (next === '[') kind = 'csi';
    else if (next === ']' || next === 'P' || next === 'X' || next === '^' || next === '_') kind = 'string';
    else {
      // ESC, intermediates (space to /), then one final character: charset designations and the like.
      if (next.charCodeAt(0) >= 0x20 && next.charCodeAt(0) <= 0x2f) {
        while (i < raw.length && raw.charCodeAt(i) >= 0x20 && raw.charCodeAt(i) <= 0x2f) i++;
        return Math.min(raw.length, i + 1);
      }
      return i;
    }
  }
  if (kind === 'csi') {
    const from = i;
    while (i < raw.length && !isFinal(raw.charCodeAt(i))) {
      if (i - from > 64) return i;
      i++;
    }
    if (i < raw.length) onCsi(raw[i]!, raw.slice(from, i));
    return Math.min(raw.length, i + 1);
  }
  // OSC, DCS, SOS, PM, APC: a string ended by BEL or ST (ESC \ or 0x9c).
  const from = i;
  while (i < raw.length && i - from < MAX_STRING) {
    const c = raw.charCodeAt(i);
    if (c === 0x07 || c === 0x9c) return i + 1;
    if (c === ESC && raw[i + 1] === '\\') return i + 2;
    i++;
  }
  return i;
}

/** One rendered line and where its raw bytes start in the log (absolute offset). */
export interface TextLine {
  offset: number;
  text: string;
}

const decoder = new TextDecoder('utf-8');

/**
 * Splits raw bytes at newlines and renders each line. `offset` is the absolute position
 * of `bytes[0]`; a last line without its newline is included (the line being written).
 */
export function renderLines(bytes: Uint8Array, offset: number): TextLine[] {
  const out: TextLine[] = [];
  // Decoded once: a 0x0a byte is never inside a UTF-8 sequence, so the n-th "\n" of the
  // text is the n-th newline byte, and the bytes between give each line its offset.
  const text = decoder.decode(bytes);
  let start = 0;
  let from = 0;
  for (;;) {
    const nl = bytes.indexOf(0x0a, start);
    if (nl < 0 && start >= bytes.length) break;
    const to = nl < 0 ? text.length : text.indexOf('\n', from);
    out.push({ offset: offset + start, text: renderLine(text.slice(from, to)) });
    if (nl < 0) break;
    start = nl + 1;
    from = to + 1;
  }
  return out;
}

/** Raw terminal output as plain text, one rendered line per raw line. */
export function toText(bytes: Uint8Array): string {
  const text = renderLines(bytes, 0)
    .map((l) => l.text)
    .join('\n');
  return bytes[bytes.length - 1] === 0x0a ? `${text}\n` : text;
}
