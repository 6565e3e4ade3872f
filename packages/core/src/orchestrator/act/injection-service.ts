import type { Logger } from 'pino';
import { createRateLimiter, writeAudit, type AuditInput } from '../../auth/index.js';
import type { Db } from '../../db/index.js';
import { AppError } from '../../errors/index.js';
import { DEFAULT_NUDGE_TEXT, type InjectInput, type InjectResult } from '../../schemas/index.js';
import type { SessionService } from '../../session/index.js';
import type { Tmux } from '../../tmux/index.js';
import { createInjector, normaliseKeys, textProblem, type KeyStep } from './keystrokes.js';
import { inScope, loadFolderParents, type OrchestratorStore } from '../store.js';
import type { Target } from '../targets.js';

export interface InjectionDeps {
  db: Db;
  tmux: Tmux;
  sessions: SessionService;
  store: OrchestratorStore;
  log: Logger;
  perMinute: number;
  /** Told after every injection, so the monitor does not take the echo for the agent's output. */
  noteInjection(sessionId: string, at: number): void;
}

/** Typing into sessions for people (inject) and for auto-intervention (intervene): audited and rate limited per session. */
export interface InjectionService {
  /**
   * Types `text` (then Enter unless `enter: false`) and presses `keys` in a session the
   * orchestrator covers. invalid_input: control characters in text, an unknown key, a
   * session outside a folder orchestrator's folder; not_found: not the caller's;
   * conflict: the session is not active or has ended; rate_limited: too many in a minute.
   */
  inject(actor: { userId: string; tokenId: string | null; authMethod: string }, orchestratorId: string, input: InjectInput): Promise<InjectResult>;
  /** A nudge (the orchestrator's text, then Enter) or Esc; false when not sent. */
  intervene(target: Target, action: 'nudge' | 'escape'): Promise<boolean>;
}

const describeKeys = (steps: KeyStep[]) => steps.map((s) => ('key' in s ? s.key : s.literal));

/** Holds a per-session rate limiter in memory; nothing to dispose. */
export function createInjectionService(deps: InjectionDeps): InjectionService {
  const { db, log } = deps;
  const injector = createInjector(deps.tmux);
  const limiter = createRateLimiter({ perMinute: deps.perMinute, burst: Math.max(1, Math.ceil(deps.perMinute / 3)) });
  const audit = (entry: Omit<AuditInput, 'action'>) => writeAudit(db, { action: 'session.inject', ...entry });

  return {
    async inject(actor, orchestratorId, input) {
      const o = deps.store.row(actor.userId, orchestratorId);
      const session = deps.sessions.get(actor.userId, input.sessionId);
      if (!inScope(o, session.folderId, loadFolderParents(db, [actor.userId]))) {
        throw new AppError('invalid_input', `session "${session.name}" is not in the folder this orchestrator watches; use Master Control`);
      }
      if (session.status !== 'active') throw new AppError('conflict', `session "${session.name}" is ${session.status}; only an active session can take input`);
      const enter = input.text !== undefined && input.enter !== false;
      const detail: Record<string, unknown> = {
        orchestratorId: o.id,
        reason: input.reason ?? null,
        textChars: input.text?.length ?? 0,
        keys: input.keys ?? [],
        enter,
        auto: false,
      };
      const record = (outcome: AuditInput['outcome'], extra: Record<string, unknown> = {}) =>
        audit({ outcome, userId: actor.userId, tokenId: actor.tokenId, authMethod: actor.authMethod, target: session.id, detail: { ...detail, ...extra } });

      const problem = input.text === undefined ? null : textProblem(input.text);
      if (problem) {
        record('denied', { refused: 'control characters' });
        throw new AppError('invalid_input', `text: ${problem}`);
      }
      let steps: KeyStep[];
      try {
        steps = normaliseKeys(input.keys ?? []);
      } catch (err) {
        record('denied', { refused: 'unknown key' });
        throw err;
      }
      const wait = limiter.take(session.id);
      if (wait > 0) {
        record('denied', { refused: 'rate limited' });
        throw new AppError('rate_limited', `too many injections into session "${session.name}"; try again in ${Math.ceil(wait / 1000)} s`, {
          retryAfterMs: wait,
        });
      }
      const at = Date.now();
      try {
        await injector.send(session.tmuxName, { text: input.text, enter, keys: steps });
      } catch (err) {
        record('error', { error: err instanceof Error ? err.message : String(err) });
        if (err instanceof AppError && err.code === 'not_found') throw new AppError('conflict', `session "${session.name}" has ended`);
        throw err;
      }
      deps.noteInjection(session.id, at);
      record('ok', { sentKeys: describeKeys(steps) });
      log.info({ sessionId: session.id, orchestratorId: o.id, textChars: detail.textChars, keys: describeKeys(steps) }, 'injected into session');
      return {
        sessionId: session.id,
        orchestratorId: o.id,
        sent: true,
        textChars: input.text?.length ?? 0,
        enter,
        keys: describeKeys(steps),
        at: new Date(at).toISOString(),
      };
    },

    async intervene(target, action) {
      const o = target.orchestrator;
      const text = o.nudgeText ?? DEFAULT_NUDGE_TEXT;
      const base = { userId: target.userId, tokenId: null, authMethod: 'orchestrator', target: target.sessionId };
      const detail = { orchestratorId: o.id, auto: true, step: action, reason: 'auto-intervention: the agent stalled', textChars: action === 'nudge' ? text.length : 0 };
      if (limiter.take(target.sessionId) > 0) {
        audit({ ...base, outcome: 'denied', detail: { ...detail, refused: 'rate limited' } });
        return false;
      }
      const at = Date.now();
      try {
        await injector.send(target.tmuxName, action === 'nudge' ? { text, enter: true, keys: [] } : { enter: false, keys: [{ key: 'Escape' }] });
      } catch (err) {
        audit({ ...base, outcome: 'error', detail: { ...detail, error: err instanceof Error ? err.message : String(err) } });
        return false;
      }
      deps.noteInjection(target.sessionId, at);
      audit({ ...base, outcome: 'ok', detail });
      return true;
    },
  };
}
