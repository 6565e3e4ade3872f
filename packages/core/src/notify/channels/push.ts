import webpush from 'web-push';
import type { Logger } from '../../log/index.js';
import type { VapidKeys } from './vapid.js';

export type PushUrgency = 'very-low' | 'low' | 'normal' | 'high';

export interface PushTarget {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface PushOptions {
  /** How long the push service keeps an undelivered message (seconds). */
  ttlSeconds: number;
  urgency: PushUrgency;
  /** Replaces an undelivered message with the same topic (at most 32 base64url characters). */
  topic?: string;
}

/** `gone`: the push service no longer knows the subscription (404/410); forget it. */
export type PushResult = { ok: true; status: number } | { ok: false; status: number | null; gone: boolean; reason: string };

export interface PushSender {
  /** Encrypts `payload` (aes128gcm, RFC 8291) to the subscription and posts it with a VAPID JWT. Never throws. */
  send(target: PushTarget, payload: string, options: PushOptions): Promise<PushResult>;
}

/**
 * Web Push with the `web-push` package: it encrypts and signs, and rdv posts the request
 * itself (fetch, with a deadline) so the result is one value to branch on.
 */
export function createPushSender(deps: { vapid: VapidKeys; log: Logger; timeoutMs?: number }): PushSender {
  const log = deps.log.child({ component: 'push' });
  const timeoutMs = deps.timeoutMs ?? 10_000;
  return {
    async send(target, payload, options) {
      const host = hostOf(target.endpoint);
      let details;
      try {
        details = webpush.generateRequestDetails(target, payload, {
          vapidDetails: deps.vapid,
          TTL: options.ttlSeconds,
          urgency: options.urgency,
          topic: options.topic,
          contentEncoding: 'aes128gcm',
        });
      } catch (err) {
        log.warn({ host, err: (err as Error).message }, 'push message could not be prepared');
        return { ok: false, status: null, gone: false, reason: (err as Error).message };
      }
      try {
        const res = await fetch(details.endpoint, {
          method: details.method,
          headers: details.headers as Record<string, string>,
          body: details.body ? new Uint8Array(details.body) : undefined,
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'error',
        });
        // The push service's answer body is only diagnostic; drain it so the socket is reused.
        const text = (await res.text()).slice(0, 200);
        if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
        const gone = res.status === 404 || res.status === 410;
        log.info({ host, status: res.status, gone }, 'push service refused a message');
        return { ok: false, status: res.status, gone, reason: text || `HTTP ${res.status}` };
      } catch (err) {
        log.warn({ host, err: (err as Error).message }, 'push service unreachable');
        return { ok: false, status: null, gone: false, reason: (err as Error).message };
      }
    },
  };
}

/** The endpoint's host, for logs: the path is a capability and is never logged. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid-url';
  }
}
