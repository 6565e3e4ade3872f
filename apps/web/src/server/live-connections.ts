import type { Logger } from '@rdv/core/log';
import type { LiveCredential } from './authenticator.js';

/** What a browser keeps open through the edge: event streams and terminal bridges. */
export type LiveKind = 'events' | 'terminal';

interface Entry {
  userId: string;
  kind: LiveKind;
  credential: LiveCredential | undefined;
  close(reason: string): void;
}

export interface LiveConnections {
  /** Registers an open connection; returns its removal (idempotent). */
  add(entry: Entry): () => void;
  /** Open connections of one kind for a user (the per-user caps count these). */
  count(userId: string, kind: LiveKind): number;
  /** Closes every connection resting on this sign-in (the browser signed out). */
  endLoginSession(id: string, reason: string): void;
  /** One round of checks now; the timer runs one every `checkEveryMs`. */
  check(): Promise<void>;
  dispose(): void;
}

export interface LiveConnectionsOptions {
  /** Of these sign-in ids, the ones still active (asked of the api). */
  activeLoginSessions(ids: string[]): Promise<string[]>;
  /** True while this Access token still verifies (signature, expiry, admission). */
  verifyAccess(token: string): Promise<boolean>;
  /** How often sign-ins and token expiry are checked (default 2 s). */
  checkEveryMs?: number;
  /** How often Access tokens are verified again in full (default 30 s). */
  reverifyEveryMs?: number;
  log: Logger;
}

/**
 * Keeps what a credential opened tied to it: a connection closes when its sign-in is
 * revoked, idles out or expires (asked of the api every couple of seconds), and when its
 * Access JWT expires or stops verifying (checked again at least every 30 s).
 */
export function createLiveConnections(options: LiveConnectionsOptions): LiveConnections {
  const entries = new Set<Entry>();
  const reverifyEveryMs = options.reverifyEveryMs ?? 30_000;
  let lastReverify = Date.now();
  let running: Promise<void> | null = null;
  let disposed = false;

  const closeWhere = (match: (e: Entry) => boolean, reason: string) => {
    for (const e of [...entries]) {
      if (!match(e)) continue;
      entries.delete(e);
      try {
        e.close(reason);
      } catch (err) {
        // A connection that is already gone has nothing left to close.
        options.log.debug({ err }, 'closing a live connection failed');
      }
    }
  };

  const checkOnce = async () => {
    const now = Date.now();
    closeWhere((e) => e.credential?.kind === 'access' && e.credential.expiresAtMs <= now, 'your Cloudflare Access sign-in expired');
    const sessionIds = [...new Set([...entries].flatMap((e) => (e.credential?.kind === 'login_session' ? [e.credential.id] : [])))];
    if (sessionIds.length) {
      try {
        const active = new Set(await options.activeLoginSessions(sessionIds));
        closeWhere((e) => e.credential?.kind === 'login_session' && !active.has(e.credential.id), 'signed out');
      } catch (err) {
        // The api is not answering: keep what is open; the next round asks again.
        options.log.debug({ err }, 'could not re-check sign-ins');
      }
    }
    if (now - lastReverify >= reverifyEveryMs) {
      lastReverify = now;
      const tokens = [...new Set([...entries].flatMap((e) => (e.credential?.kind === 'access' ? [e.credential.token] : [])))];
      for (const token of tokens) {
        if (!(await options.verifyAccess(token))) closeWhere((e) => e.credential?.kind === 'access' && e.credential.token === token, 'your Cloudflare Access sign-in is no longer valid');
      }
    }
  };

  const check = () => {
    running ??= checkOnce().finally(() => (running = null));
    return running;
  };
  const timer = setInterval(() => {
    if (!disposed && entries.size) void check();
  }, options.checkEveryMs ?? 2000);
  timer.unref();

  return {
    add(entry) {
      entries.add(entry);
      return () => void entries.delete(entry);
    },
    count: (userId, kind) => [...entries].filter((e) => e.userId === userId && e.kind === kind).length,
    endLoginSession: (id, reason) => closeWhere((e) => e.credential?.kind === 'login_session' && e.credential.id === id, reason),
    check,
    dispose() {
      disposed = true;
      clearInterval(timer);
      entries.clear();
    },
  };
}
