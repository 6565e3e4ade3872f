import { CONTROL_CHARS, type AttentionType, type NotifyAction, type PushPayload, type WebhookBody } from '../schemas/index.js';
import { severityOf, type AttentionEvent } from './event.js';

const TITLES: Readonly<Record<AttentionType, (name: string) => string>> = {
  permission: (n) => `${n} needs your permission`,
  question: (n) => `${n} has a question`,
  turn_finished: (n) => `${n} finished its turn`,
  stalled: (n) => `${n} has stalled`,
  errored: (n) => `${n} hit an error`,
  exited: (n) => `${n} exited`,
};

const DEFAULT_BODIES: Readonly<Record<AttentionType, string>> = {
  permission: 'It is waiting for you to allow or deny a tool.',
  question: 'It is waiting for your answer.',
  turn_finished: 'It is ready for your next prompt.',
  stalled: 'No output for a while, and it is not waiting for you.',
  errored: 'It reported an error.',
  exited: 'The agent ended and its shell is back.',
};

/** Push services take about 4 KB; the body is cut well below that, leaving room for actions. */
export const MAX_BODY_CHARS = 600;

export interface ComposedNotification {
  id: string;
  title: string;
  body: string;
  /** `${baseUrl}/?s=<session id>`: opens the session's terminal. */
  url: string;
  tag: string;
  count: number;
  createdAt: Date;
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The words of a notification for an event standing for `count` events. */
export function composeNotification(event: AttentionEvent, input: { id: string; count: number; createdAt: Date; baseUrl?: string }): ComposedNotification {
  const message = event.message?.trim() || DEFAULT_BODIES[event.type];
  const more = input.count > 1 ? ` (${input.count} updates)` : '';
  return {
    id: input.id,
    title: event.title ?? TITLES[event.type](event.sessionName),
    body: cut(message, MAX_BODY_CHARS - more.length) + more,
    url: `${(input.baseUrl ?? '').replace(/\/+$/, '')}/?s=${encodeURIComponent(event.sessionId)}`,
    tag: `rdv-session-${event.sessionId}`,
    count: input.count,
    createdAt: input.createdAt,
  };
}

/** The answers a notification offers for an event: Allow/Deny for a permission, the options of a question. */
export function actionsFor(event: AttentionEvent): Array<{ action: NotifyAction; title: string }> {
  if (!event.insightId) return [];
  if (event.type === 'permission') {
    return [
      { action: 'allow', title: 'Allow' },
      { action: 'deny', title: 'Deny' },
    ];
  }
  if (event.type === 'question' && event.options?.length) {
    const labels = event.options.map((o) => cut(o.replace(new RegExp(CONTROL_CHARS.source, 'g'), ' ').trim(), 100)).filter(Boolean);
    return [...new Set(labels)].slice(0, 4).map((label) => ({ action: `reply:${label}` as const, title: label }));
  }
  return [];
}

/** The webhook's JSON: ARCHITECTURE's contract, nothing secret (no action tokens). */
export function webhookBody(event: AttentionEvent, n: ComposedNotification): WebhookBody {
  return {
    id: n.id,
    type: event.type,
    severity: severityOf(event),
    sessionId: event.sessionId,
    sessionName: event.sessionName,
    folder: event.folders.length ? event.folders.map((f) => f.name).join('/') : null,
    title: n.title,
    body: n.body,
    url: n.url,
    createdAt: n.createdAt.toISOString(),
  };
}

/** What the service worker gets, action tokens included (the payload is encrypted to the browser). */
export function pushPayload(event: AttentionEvent, n: ComposedNotification, actions: PushPayload['actions']): PushPayload {
  return { id: n.id, type: event.type, title: n.title, body: n.body, url: n.url, tag: n.tag, sessionId: event.sessionId, count: n.count, actions };
}
