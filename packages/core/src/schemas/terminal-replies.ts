/**
 * Answers a terminal gives by itself to queries written to it: device attributes (DA1,
 * DA2, DA3), status and extended cursor reports (DSR, DECXCPR), mode reports (DECRPM),
 * OSC colour replies and DCS replies (XTVERSION, DECRQSS, XTGETTCAP).
 *
 * tmux asks its client terminal such questions when it attaches and takes the first
 * answers; an answer it is not waiting for (a second terminal's, or one that comes
 * late) is typed into the session as keys (`0;276;0c` at the prompt). So only the
 * terminal a tmux client was started for may answer its queries: the terminal service
 * drops these replies from every other member of a shared session, and the browser
 * never sends them (tmux learns nothing from xterm.js's answers, and a background tab
 * answers late).
 *
 * Plain cursor position reports (`ESC [ row ; col R`) are not counted: they are also how
 * Ctrl+F3 and its kin arrive. Input counts only when it is nothing but replies, so typed
 * escape sequences and bracketed pastes always go through. Browser-safe: no Node APIs.
 */
const TERMINAL_REPLIES = /^(?:\x1b\[[?>=][\d;]*c|\x1b\[\??\d+n|\x1b\[\?\d+;\d+(?:;\d+)?R|\x1b\[\??[\d;]*\$y|\x1b\]\d[\d;]*[^\x07\x1b]*(?:\x07|\x1b\\)|\x1bP[^\x1b]*\x1b\\)+$/;

/** True when `data` is nothing but replies to terminal queries; bytes are read as Latin-1. */
export function isTerminalReply(data: string | Uint8Array): boolean {
  if (data.length < 3 || (typeof data === 'string' ? data.charCodeAt(0) : data[0]) !== 0x1b) return false;
  return TERMINAL_REPLIES.test(typeof data === 'string' ? data : latin1(data));
}

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return text;
}
