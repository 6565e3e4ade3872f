import { describe, expect, it } from 'vitest';
import type { AppError } from '@rdv/core/errors';
import type { RdvEvent } from '@rdv/core/schemas';
import { waitFor } from '@rdv/core/testing';
import { createSseParser, followEvents, type SseMessage } from '../src/index.js';
import { createSocketClient } from '../src/node.js';
import { useSocketServer } from './helpers.js';

const event = (id: number, type: string) =>
  `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify({ id, type, at: new Date(0).toISOString(), data: { n: id } })}\n\n`;

describe('createSseParser', () => {
  it('parses events split anywhere, with CRLF, comments, multi-line data and retry', () => {
    const got: SseMessage[] = [];
    const retries: number[] = [];
    const parser = createSseParser((m) => got.push(m), (ms) => retries.push(ms));
    const stream = ': hello\r\nretry: 250\r\n\r\nid: 7\r\nevent: a\r\ndata: one\r\ndata:two\r\n\r\ndata: plain\n\nid: 8\nevent: b\n: no data, no event\n\n';
    for (let i = 0; i < stream.length; i += 3) parser.push(stream.slice(i, i + 3));
    expect(got).toEqual([
      { id: '7', event: 'a', data: 'one\ntwo' },
      { event: 'message', data: 'plain' },
    ]);
    expect(retries).toEqual([250]);
  });
});

describe('followEvents', () => {
  it('reads typed events over a unix socket and resumes with Last-Event-ID after the stream breaks', async () => {
    const requests: { lastEventId: string | undefined; auth: string | undefined }[] = [];
    const { socketPath } = await useSocketServer((req, res) => {
      requests.push({ lastEventId: req.headers['last-event-id'] as string | undefined, auth: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (requests.length === 1) {
        // A short retry so the test reconnects quickly; then two events, one that is not an
        // rdv event (skipped, its id still counts), and the connection drops mid-event.
        res.write('retry: 20\n: connected\n\n');
        res.write(event(1, 'session.created') + event(2, 'folder.updated'));
        res.write(event(3, 'no.such.type'));
        res.write('id: 4\nevent: session.updated\ndata: {"half');
        setTimeout(() => res.destroy(), 50);
      } else {
        res.write(event(Number(req.headers['last-event-id']) + 1, 'session.closed'));
      }
    });
    const client = createSocketClient({ socketPath, token: 'rdv_cli_t' });
    const got: RdvEvent[] = [];
    const errors: [string, boolean][] = [];
    let opened = 0;
    const stream = followEvents(client, {
      onEvent: (e) => got.push(e),
      onOpen: () => opened++,
      onError: (err, willRetry) => errors.push([err.code, willRetry]),
    });
    await waitFor(() => got.length === 3, 'three events');
    expect(got.map((e) => [e.id, e.type])).toEqual([
      [1, 'session.created'],
      [2, 'folder.updated'],
      [4, 'session.closed'],
    ]);
    expect(got[0]!.data).toEqual({ n: 1 });
    expect(requests).toEqual([
      { lastEventId: undefined, auth: 'Bearer rdv_cli_t' },
      { lastEventId: '3', auth: 'Bearer rdv_cli_t' },
    ]);
    expect(opened).toBe(2);
    expect(errors[0]).toEqual(['unavailable', true]);
    expect(stream.lastEventId()).toBe(4);
    stream.close();
    await stream.done;
  });

  it('starts after a given id and stops for good when the credentials are refused', async () => {
    const seen: (string | undefined)[] = [];
    const { socketPath } = await useSocketServer((req, res) => {
      seen.push(req.headers['last-event-id'] as string | undefined);
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'unauthorized', message: 'token revoked' } }));
    });
    const errors: [AppError, boolean][] = [];
    const stream = followEvents(createSocketClient({ socketPath, token: 'old' }), {
      lastEventId: 41,
      retryMs: 10,
      onEvent: () => undefined,
      onError: (err, willRetry) => errors.push([err, willRetry]),
    });
    await stream.done;
    expect(seen).toEqual(['41']);
    expect(errors.map(([e, retry]) => [e.code, e.message, retry])).toEqual([['unauthorized', 'token revoked', false]]);
  });
});
