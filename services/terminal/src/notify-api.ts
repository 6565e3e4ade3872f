import type { ServiceTokenStore } from '@rdv/core/auth';
import { socketRequest } from '@rdv/core/client';
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
  return (sessionId) => {
    const notify = async () => {
      const res = await socketRequest(deps.apiSocket, `/internal/sessions/${encodeURIComponent(sessionId)}/ended`, {
        method: 'POST',
        headers: { 'x-rdv-service-token': deps.serviceToken.current() },
        timeoutMs: NOTIFY_TIMEOUT_MS,
      });
      if (res.status !== 200) deps.log.warn({ sessionId, status: res.status }, 'the api did not take the session end');
    };
    notify().catch((err: unknown) =>
      deps.log.info({ sessionId, err: (err as Error).message }, 'could not tell the api a session ended; its reconcile will'),
    );
  };
}
