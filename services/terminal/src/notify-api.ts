import { createSocketClient } from '@rdv/client/node';
import type { ServiceTokenStore } from '@rdv/core/auth';
import { isAppError } from '@rdv/core/errors';
import type { Logger } from '@rdv/core/log';

const NOTIFY_TIMEOUT_MS = 5000;

/**
 * Tells the api (over api.sock, with the service token) that a session's tmux session
 * ended, so it marks the session closed and announces it on its event stream now rather
 * than at its next periodic reconcile. Best effort: when the api is down or slow, that
 * reconcile still catches the end.
 */
export function createSessionEndNotifier(deps: {
  apiSocket: string;
  serviceToken: Pick<ServiceTokenStore, 'current'>;
  log: Logger;
}): (sessionId: string) => void {
  const api = createSocketClient({
    socketPath: deps.apiSocket,
    headers: () => ({ 'x-rdv-service-token': deps.serviceToken.current() }),
    timeoutMs: NOTIFY_TIMEOUT_MS,
  });
  return (sessionId) => {
    api.POST('/internal/sessions/{id}/ended', { params: { path: { id: sessionId } } }).catch((err: unknown) => {
      if (isAppError(err) && err.code !== 'unavailable') deps.log.warn({ sessionId, code: err.code }, 'the api did not take the session end');
      else deps.log.info({ sessionId, err: (err as Error).message }, 'could not tell the api a session ended; its reconcile will');
    });
  };
}
