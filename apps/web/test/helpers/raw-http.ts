// Raw HTTP over a TCP or unix socket: the bytes go out exactly as written, so tests can
// send what no HTTP client would (fragments, spaces, control bytes, smuggled bodies).
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  head: string;
  body: string;
  /** The parsed JSON body, or undefined when it is not JSON. */
  json: unknown;
}

/** Sends `bytes` and reads until the server closes (or `timeoutMs`); parses the first response. */
export function rawRequest(to: { port: number } | { path: string }, bytes: string | Buffer, timeoutMs = 5000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket: Socket = 'port' in to ? connect(to.port, '127.0.0.1') : connect(to.path);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err) => {
      // A reset after the answer arrived still counts as an answer.
      if (!chunks.length) reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseResponse(Buffer.concat(chunks).toString('latin1')));
    });
    socket.write(bytes);
  });
}

/** The first response in `text` (status 0 when nothing came back). */
export function parseResponse(text: string): RawResponse {
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  let body = end < 0 ? '' : text.slice(end + 4);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) body = body.slice(0, Number(length[1]));
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, 'latin1').toString('utf8'));
  } catch {
    json = undefined;
  }
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0), head, body, json };
}

/** True when `json` is the one error shape `{error:{code,message}}`. */
export function isErrorBody(json: unknown): boolean {
  const e = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return typeof e?.code === 'string' && typeof e.message === 'string' && e.message.length > 0;
}
