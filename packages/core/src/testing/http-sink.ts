// An HTTP server on 127.0.0.1 that records what is posted to it: a stand-in for webhooks.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { register, type Scope } from './hooks.js';

export interface SinkRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpSink {
  url: string;
  requests: SinkRequest[];
  /** The status later requests get (default 200). */
  status: number;
  /** Hold each answer this long (ms), e.g. to outlast a client's timeout. */
  delayMs: number;
  close(): Promise<void>;
}

export async function startHttpSink(): Promise<HttpSink> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      sink.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = () => {
        if (!res.destroyed) res.writeHead(sink.status, { 'content-type': 'text/plain' }).end('ok');
      };
      if (sink.delayMs > 0) setTimeout(answer, sink.delayMs).unref();
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sink: HttpSink = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    requests: [],
    status: 200,
    delayMs: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return sink;
}

/** An HTTP sink for the test (or the file), closed afterwards. */
export async function useHttpSink(scope: Scope = 'test'): Promise<HttpSink> {
  const sink = await startHttpSink();
  register(scope, () => sink.close());
  return sink;
}
