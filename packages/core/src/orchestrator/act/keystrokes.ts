import { AppError } from '../../errors/index.js';
import { CONTROL_CHARS } from '../../schemas/index.js';
import { TMUX_KEY_PATTERN, type Tmux } from '../../tmux/index.js';

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

/** An injector over rdv's tmux wrapper (same socket and config; argv arrays; `-l` for text). */
export function createInjector(tmux: Tmux): Injector {
  return {
    async send(tmuxName, input) {
      if (input.text) await tmux.sendLiteral(tmuxName, input.text);
      const steps: KeyStep[] = [...(input.enter && input.text !== undefined ? [{ key: 'Enter' }] : []), ...input.keys];
      // Runs of named keys go in one send-keys; a literal character goes on its own.
      let named: string[] = [];
      const flush = async () => {
        if (named.length) await tmux.sendKeys(tmuxName, named);
        named = [];
      };
      for (const step of steps) {
        if ('key' in step) {
          named.push(step.key);
        } else {
          await flush();
          await tmux.sendLiteral(tmuxName, step.literal);
        }
      }
      await flush();
    },
  };
}
