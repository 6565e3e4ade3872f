import type { Logger } from 'pino';
import { AppError } from '../errors/index.js';
import { openControlClient, type ControlClient } from './control-client.js';
import { TMUX_KEY_PATTERN, TMUX_NAME_PATTERN, type Tmux } from './tmux.js';

/** What the control channel cannot carry in its single quotes; such text is typed by a spawned tmux. */
const CHANNEL_SAFE = /^[^'\n\r\\]*$/;
const NO_SESSION = /can't find (session|window|pane)|session not found|no such session|no current target/i;

/** Types text (then key names) into sessions, as `Tmux.sendLiteral` does, without a process per call where it can. */
export interface KeyTyper {
  /** Errors as `Tmux.sendLiteral`: not_found when the session is gone, invalid_input for an unknown key name. */
  type(name: string, text: string, thenKeys?: string[]): Promise<void>;
  /** Closes the control client. Idempotent. */
  dispose(): void;
}

/**
 * A KeyTyper over one tmux control-mode client (a command costs the server a line instead of a
 * process spawn, so typing into a session stops costing a tmux start). The client sits on the
 * first session typed into and is opened again when that session ends. Text the channel's
 * quoting cannot carry (quotes, backslashes, line breaks), or any failure of the channel
 * itself, goes through `tmux.sendLiteral`, which spawns tmux with an argv array.
 */
export function createKeyTyper(deps: { tmux: Tmux; log: Logger }): KeyTyper {
  let client: ControlClient | null = null;
  let opening: Promise<ControlClient | null> | null = null;
  let disposed = false;

  const channel = async (name: string): Promise<ControlClient | null> => {
    if (client?.alive) return client;
    opening ??= openControlClient({ tmux: deps.tmux, session: name, log: deps.log })
      .then((c) => {
        if (disposed) {
          c.dispose();
          return null;
        }
        client = c;
        return c;
      })
      .catch((err: unknown) => {
        // No channel now (the session is starting or ending): this call spawns tmux; the next tries again.
        deps.log.debug({ err }, 'tmux control client unavailable for typing');
        return null;
      })
      .finally(() => {
        opening = null;
      });
    return opening;
  };

  return {
    async type(name, text, thenKeys = []) {
      if (!TMUX_NAME_PATTERN.test(name)) throw new AppError('invalid_input', `invalid tmux session name: ${JSON.stringify(name)}`);
      for (const key of thenKeys) {
        if (!TMUX_KEY_PATTERN.test(key)) throw new AppError('invalid_input', `unknown key name: ${JSON.stringify(key)}`);
      }
      const c = !disposed && CHANNEL_SAFE.test(text) ? await channel(name) : null;
      let typed = false;
      if (c) {
        const target = `=${name}:`;
        try {
          if (text) await c.run(['send-keys', '-t', target, '-l', '--', text]);
          typed = true;
          if (thenKeys.length) await c.run(['send-keys', '-t', target, ...thenKeys]);
          return;
        } catch (err) {
          if (err instanceof AppError && NO_SESSION.test(err.message)) throw new AppError('not_found', 'tmux session not found (send-keys)', { cause: err });
          // The channel broke (its session ended under it): the rest goes by a spawned tmux.
          deps.log.debug({ err }, 'typing over the control client failed; spawning tmux');
        }
      }
      await deps.tmux.sendLiteral(name, typed ? '' : text, { thenKeys });
    },
    dispose() {
      disposed = true;
      client?.dispose();
      client = null;
    },
  };
}
