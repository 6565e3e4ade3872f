import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../log/index.js';
import { WebhookBodySchema, type WebhookBody } from '../../schemas/index.js';
import { useHttpSink } from '../../testing/index.js';
import { createWebhookSender } from './webhook.js';

const body: WebhookBody = {
  id: '0b8e4a52-5d53-4a43-9c0c-7a1b1f0c2d11',
  type: 'permission',
  severity: 'warning',
  sessionId: '6f1c2a9e-3b4d-4e5f-8a6b-7c8d9e0f1a2b',
  sessionName: 'api refactor',
  folder: 'work/rdv',
  title: 'api refactor needs your permission',
  body: 'Bash: npm test',
  url: 'https://rdv.example.com/?s=6f1c2a9e-3b4d-4e5f-8a6b-7c8d9e0f1a2b',
  createdAt: '2026-01-02T03:04:05.000Z',
};

function captureLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { log: createLogger({ level: 'debug', stream }), lines };
}

describe('webhook', () => {
  it('POSTs the notification as JSON: exactly the documented fields', async () => {
    const sink = await useHttpSink();
    const { log } = captureLog();
    expect(await createWebhookSender({ url: sink.url, log }).send(body)).toBe(true);
    expect(sink.requests).toHaveLength(1);
    const req = sink.requests[0]!;
    expect(req).toMatchObject({ method: 'POST', path: '/hook' });
    expect(req.headers['content-type']).toBe('application/json');
    const parsed = JSON.parse(req.body) as Record<string, unknown>;
    expect(parsed).toEqual(body);
    expect(Object.keys(parsed).sort()).toEqual(Object.keys(WebhookBodySchema.shape).sort());
  });

  it('speaks Slack, Discord and ntfy when told to', async () => {
    const sink = await useHttpSink();
    const { log } = captureLog();
    for (const format of ['slack', 'discord', 'ntfy'] as const) await createWebhookSender({ url: sink.url, format, log }).send({ ...body, title: 'café needs you' });
    const [slack, discord, ntfy] = sink.requests;
    expect(JSON.parse(slack!.body)).toEqual({ text: `*café needs you*\nBash: npm test\n<${body.url}|Open the session>` });
    expect(JSON.parse(discord!.body)).toEqual({ content: `**café needs you**\nBash: npm test\n${body.url}` });
    expect(ntfy!.body).toBe('Bash: npm test');
    expect(ntfy!.headers).toMatchObject({ priority: 'high', tags: 'permission', click: body.url });
    expect(ntfy!.headers.title).toBe(`=?UTF-8?B?${Buffer.from('café needs you').toString('base64')}?=`);
  });

  it('a failing, unreachable or slow sink is logged (by host only) and reported, never thrown', async () => {
    const sink = await useHttpSink();
    const { log, lines } = captureLog();
    const secretUrl = `${sink.url}/T000/B000/very-secret-part`;
    const sender = createWebhookSender({ url: secretUrl, log, timeoutMs: 300 });
    sink.status = 500;
    expect(await sender.send(body)).toBe(false);
    sink.status = 200;
    sink.delayMs = 3000;
    const started = Date.now();
    expect(await sender.send(body)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2500);
    await sink.close();
    expect(await sender.send(body)).toBe(false);
    const warnings = lines.map((l) => JSON.parse(l) as { level: number; msg: string; host?: string; status?: number });
    expect(warnings.map((w) => w.msg)).toEqual(['webhook refused a notification', 'webhook unreachable', 'webhook unreachable']);
    expect(warnings[0]).toMatchObject({ level: 40, status: 500, host: new URL(sink.url).host });
    expect(lines.join('\n')).not.toContain('very-secret-part');
  });
});
