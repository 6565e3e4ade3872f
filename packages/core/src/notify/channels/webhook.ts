import type { AttentionType, WebhookBody } from '../../schemas/index.js';
import type { Logger } from '../../log/index.js';
import { hostOf } from './push.js';

export type WebhookFormat = 'json' | 'slack' | 'discord' | 'ntfy';

export interface WebhookSender {
  /** Posts one notification; true when the sink answered 2xx. Failures are logged, never thrown. */
  send(body: WebhookBody): Promise<boolean>;
}

const URGENT: ReadonlySet<AttentionType> = new Set(['permission', 'question', 'errored']);

/** A header value as ntfy reads it: ASCII as is, anything else as an RFC 2047 encoded word. */
const headerText = (text: string) => (/^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`);

/** The request a format makes of a notification. */
export function webhookRequest(format: WebhookFormat, body: WebhookBody): { headers: Record<string, string>; body: string } {
  const link = /^https?:\/\//.test(body.url) ? body.url : '';
  switch (format) {
    case 'slack':
      return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: `*${body.title}*\n${body.body}${link ? `\n<${link}|Open the session>` : ''}` }) };
    case 'discord':
      return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: `**${body.title}**\n${body.body}${link ? `\n${link}` : ''}` }) };
    case 'ntfy': {
      const headers: Record<string, string> = {
        'content-type': 'text/plain; charset=utf-8',
        title: headerText(body.title),
        priority: URGENT.has(body.type) ? 'high' : 'default',
        tags: body.type,
      };
      if (link) headers.click = link;
      return { headers, body: body.body };
    }
    default:
      return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  }
}

/**
 * POSTs notifications to `[notifications] webhook_url`. The URL may embed a secret (Slack,
 * Discord), so only its host is ever logged.
 */
export function createWebhookSender(deps: { url: string; format?: WebhookFormat; timeoutMs?: number; log: Logger }): WebhookSender {
  const log = deps.log.child({ component: 'webhook', host: hostOf(deps.url) });
  const format = deps.format ?? 'json';
  const timeoutMs = deps.timeoutMs ?? 5000;
  return {
    async send(body) {
      const request = webhookRequest(format, body);
      try {
        const res = await fetch(deps.url, { method: 'POST', ...request, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
        // Nothing in the sink's answer matters but its status; drain it so the socket is freed.
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return true;
        log.warn({ status: res.status, notificationId: body.id }, 'webhook refused a notification');
        return false;
      } catch (err) {
        log.warn({ err: (err as Error).message, notificationId: body.id }, 'webhook unreachable');
        return false;
      }
    },
  };
}
