import { execFile } from 'node:child_process';
import { AppError } from '../errors/index.js';
import { CONTROL_CHARS } from '../schemas/index.js';
import { escapeTrailingSemicolon, sanitizedEnv, TMUX_KEY_PATTERN, TMUX_NAME_PATTERN, type Tmux } from '../tmux/index.js';

/** One step of an injection: a tmux key name, or one character typed literally. */
export type KeyStep = { key: string } | { literal: string };

const ALIASES: Record<string, string> = {
  enter: 'Enter',
  return: 'Enter',
  esc: 'Escape',
  escape: 'Escape',
  tab: 'Tab',
  'shift-tab': 'BTab',
  btab: 'BTab',
  backspace: 'BSpace',
  bspace: 'BSpace',
  space: 'Space',
  up: 'Up',
  down: 'Down',
  left: 'Left',
  right: 'Right',
  home: 'Home',
  end: 'End',
  pageup: 'PageUp',
  pagedown: 'PageDown',
  delete: 'DC',
  del: 'DC',
  insert: 'IC',
};
const CTRL = /^(?:ctrl|control|c)[-+]([a-z0-9@[\]\\_^ ])$/i;
const CARET = /^\^([a-z@[\]\\_^])$/i;
const ALT = /^(?:alt|meta|m)[-+]([a-z0-9])$/i;
const FKEY = /^f([1-9]|1[0-2])$/i;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Maps the names people use ("Esc", "Ctrl-C", "^C", "up", "y") to tmux key names or
 * single literal characters. Throws invalid_input naming the first unknown key.
 */
export function normaliseKeys(keys: readonly string[]): KeyStep[] {
  return keys.map((raw): KeyStep => {
    const k = raw.trim() === '' ? raw : raw.trim();
    const alias = ALIASES[k.toLowerCase()];
    if (alias) return { key: alias };
    const ctrl = CTRL.exec(k) ?? CARET.exec(k);
    if (ctrl && k.length > 1) return { key: `C-${ctrl[1]!.toLowerCase() === ' ' ? 'Space' : ctrl[1]!.toLowerCase()}` };
    const alt = ALT.exec(k);
    if (alt) return { key: `M-${alt[1]}` };
    if (FKEY.test(k)) return { key: k.toUpperCase() };
    if (Array.from(raw).length === 1 && !CONTROL_CHARS.test(raw) && raw !== '\t') return { literal: raw };
    if (TMUX_KEY_PATTERN.test(k)) return { key: k };
    throw new AppError(
      'invalid_input',
      `keys: unknown key ${JSON.stringify(raw.slice(0, 32))}; use Enter, Esc, Tab, Space, BSpace, Up, Down, Left, Right, Home, End, PageUp, PageDown, F1-F12, Ctrl-<letter>, Alt-<letter> or one printable character`,
    );
  });
}

/** Why text can't be typed as it is, or null when it can: no control characters (tab included), well-formed Unicode. */
export function textProblem(text: string): string | null {
  if (CONTROL_CHARS.test(text) || text.includes('\t')) return 'text must not contain control characters (newlines, escapes, tabs); send named keys for those';
  if (LONE_SURROGATE.test(text)) return 'text must be well-formed Unicode';
  return null;
}

/** Types into tmux sessions with `send-keys` (argv arrays, `-l` for text). Holds no resources. */
export interface Injector {
  /** Sends `text` literally, then Enter if `enter`, then `keys` in order. Rejects not_found when the session is gone. */
  send(tmuxName: string, input: { text?: string; enter: boolean; keys: KeyStep[] }): Promise<void>;
}

const NO_TARGET = /can't find (session|window|pane)|no server running|error connecting to/i;

/** An injector over `tmux.argv` (same socket and config as the rest of rdv). */
export function createInjector(tmux: Tmux): Injector {
  const env = sanitizedEnv();
  const run = (args: string[]) =>
    new Promise<void>((resolve, reject) => {
      execFile('tmux', tmux.argv(args), { env, timeout: 10_000 }, (err, _stdout, stderr) => {
        if (!err) return resolve();
        if (NO_TARGET.test(String(stderr))) return reject(new AppError('not_found', 'tmux session not found'));
        reject(new AppError('unavailable', `tmux send-keys failed: ${String(stderr).trim() || err.message}`, { cause: err }));
      });
    });
  return {
    async send(tmuxName, input) {
      if (!TMUX_NAME_PATTERN.test(tmuxName)) throw new AppError('invalid_input', 'invalid tmux session name');
      const target = `=${tmuxName}:`;
      const literal = (text: string) => run(['send-keys', '-t', target, '-l', '--', escapeTrailingSemicolon(text)]);
      if (input.text) await literal(input.text);
      const steps: KeyStep[] = [...(input.enter && input.text !== undefined ? [{ key: 'Enter' }] : []), ...input.keys];
      let named: string[] = [];
      const flush = async () => {
        if (named.length) await run(['send-keys', '-t', target, ...named]);
        named = [];
      };
      for (const step of steps) {
        if ('key' in step) {
          named.push(step.key);
        } else {
          await flush();
          await literal(step.literal);
        }
      }
      await flush();
    },
  };
}
