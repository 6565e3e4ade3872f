import { join } from 'node:path';
import { AppError } from '../errors/index.js';
import { ensurePrivateDir } from '../lifecycle/index.js';
import type { Tmux } from '../tmux/index.js';
import { LOG_FILE } from './files.js';

/**
 * The writer tmux's `pipe-pane` feeds. tmux writes pane output to the pipe without ever
 * blocking the pane (it buffers in the server), so the writer only has to keep reading:
 * it appends to output.log and rotates it at `max` bytes (output.log.1 → .2, the bytes
 * dropped with the old .2 added to output.log.base, output.log → .1). A write that fails
 * (disk full, folder gone) drops that output and the writer keeps draining the pipe; the
 * session never notices. It ends when tmux closes the pipe.
 *
 * `head -c N` reads no more than it writes (so nothing is lost between rotations), and
 * under `stdbuf -o0` writes each read at once, so the log follows the terminal live.
 * `$1` is the log path, `$2` the size: nothing is spliced into the script.
 */
export const WRITER_NAME = 'rdv-output-log';

const SCRIPT = [
  'umask 077',
  'f=$1; max=$2',
  'if command -v stdbuf >/dev/null 2>&1; then unbuf="stdbuf -o0"; else unbuf=""; fi',
  'size() { if [ -f "$1" ]; then wc -c < "$1"; else echo 0; fi; }',
  'while :; do',
  '  n=$(size "$f")',
  '  if [ "$n" -ge "$max" ]; then',
  '    if [ -f "$f.1" ]; then',
  '      d=$(size "$f.2")',
  '      mv -f "$f.1" "$f.2"',
  '      b=0; if [ -f "$f.base" ]; then read -r b < "$f.base"; fi',
  '      case $b in ""|*[!0-9]*) b=0;; esac',
  '      echo $((b + d)) > "$f.base.tmp" && mv -f "$f.base.tmp" "$f.base"',
  '    fi',
  '    mv -f "$f" "$f.1"',
  '    n=0',
  '  fi',
  '  if $unbuf head -c $((max - n)) >> "$f"; then',
  '    [ "$(size "$f")" -ge "$max" ] || exit 0',
  '  else',
  '    [ "$(head -c 65536 | wc -c)" -gt 0 ] || exit 0',
  '  fi',
  'done',
].join('\n');

// The script travels inside single quotes through tmux's format and strftime expansion:
// no quote, # or % may appear in it.
if (/['#%]/.test(SCRIPT)) throw new Error('output writer script must not contain quotes, # or %');

/** The tmux session option holding the log path, read by the pipe command as `#{q:…}` (shell-quoted by tmux). */
export const LOG_PATH_OPTION = '@rdv-output-log';

/** The shell command given to `pipe-pane`; the log path comes from the session option. */
export function writerCommand(maxBytes: number): string {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new AppError('invalid_input', 'log_max_bytes must be a positive integer');
  return `exec /bin/sh -c '${SCRIPT}' ${WRITER_NAME} #{q:${LOG_PATH_OPTION}} ${maxBytes}`;
}

export interface StartOutputLogOptions {
  /** The tmux session. */
  name: string;
  /** The session's output folder (`outputDir(sessionsDir, id)`), created 0700. */
  dir: string;
  maxBytes: number;
}

/**
 * What `tmux.newSession({ pipe })` needs to log a new session from its first byte: the
 * session option naming the log and the writer command. Creates the folder (0700).
 * Errors: `invalid_input` for a path tmux could not quote.
 */
export function outputLogPipe(dir: string, maxBytes: number): { option: string; value: string; command: string } {
  const file = join(dir, LOG_FILE);
  // tmux's #{q:} escapes shell characters but not line breaks.
  if (!file.startsWith('/') || /[\x00-\x1f\x7f]/.test(file)) throw new AppError('invalid_input', 'output log path must be absolute, without control characters');
  const command = writerCommand(maxBytes);
  ensurePrivateDir(join(dir, '..'));
  ensurePrivateDir(dir);
  return { option: LOG_PATH_OPTION, value: file, command };
}

/**
 * Starts appending the session's pane output to `<dir>/output.log` (files 0600).
 * Idempotent: a session already logging keeps its writer. Errors: `not_found` when the
 * tmux session is gone, `invalid_input` for a path tmux could not quote.
 */
export async function startOutputLog(tmux: Tmux, options: StartOutputLogOptions): Promise<void> {
  const pipe = outputLogPipe(options.dir, options.maxBytes);
  await tmux.setOption(options.name, pipe.option, pipe.value);
  await tmux.pipePane(options.name, pipe.command, { onlyIfNone: true });
}

/** Stops logging (the writer ends when its pipe closes). Errors: `not_found` when the tmux session is gone. */
export async function stopOutputLog(tmux: Tmux, name: string): Promise<void> {
  await tmux.pipePane(name, null);
}
