/**
 * Terminal bytes from a session's log, made fit to replay into a terminal with scrollback:
 * switches to the alternate screen (full-screen programs: editors, agents' TUIs) and
 * "erase scrollback" would hide or wipe what came before, so they are dropped and
 * everything lands in the normal buffer, where it can be scrolled and searched.
 */
const DROPPED = ['\x1b[?1049h', '\x1b[?1049l', '\x1b[?1047h', '\x1b[?1047l', '\x1b[?47h', '\x1b[?47l', '\x1b[3J'].map((s) =>
  Uint8Array.from(s, (c) => c.charCodeAt(0)),
);

const matchesAt = (data: Uint8Array, at: number, seq: Uint8Array) => {
  if (at + seq.length > data.length) return false;
  for (let i = 0; i < seq.length; i++) if (data[at + i] !== seq[i]) return false;
  return true;
};

/** `data` without the sequences that would hide earlier output (see above); the same array when there are none. */
export function forReplay(data: Uint8Array): Uint8Array {
  const drop: [number, number][] = [];
  for (let at = data.indexOf(0x1b); at >= 0; at = data.indexOf(0x1b, at + 1)) {
    const seq = DROPPED.find((s) => matchesAt(data, at, s));
    if (seq) drop.push([at, at + seq.length]);
  }
  if (!drop.length) return data;
  const out = new Uint8Array(data.length - drop.reduce((n, [a, b]) => n + b - a, 0));
  let from = 0;
  let to = 0;
  for (const [a, b] of drop) {
    out.set(data.subarray(from, a), to);
    to += a - from;
    from = b;
  }
  out.set(data.subarray(from), to);
  return out;
}
