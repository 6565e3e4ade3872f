import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Answers requests Node's parser refuses (a space or control byte in the request line,
 * bad framing, headers over the size limit) with the one error shape instead of a bare
 * status line, then closes the connection: a program always gets `{error:{code,message}}`.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, message] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'request headers are too large']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'the request took too long to arrive']
          : [400, 'malformed HTTP request (request line, headers or body framing)'];
    const body = JSON.stringify({ error: { code: 'invalid_input', message } });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

/** Past this, an unread body is not drained: the answer goes out and the connection is cut. */
const MAX_DRAIN_BYTES = 8 << 20;

/**
 * Runs `answer` once the request body has been read to its end (and discarded). An answer
 * sent before the body was read (a refusal) would otherwise be lost: Node closes the
 * connection after it while the client is still sending, and the peer sees a reset.
 */
export function afterBody(req: IncomingMessage, answer: () => void): void {
  if (req.complete || req.readableEnded) return answer();
  let seen = 0;
  let answered = false;
  const once = () => {
    if (answered) return;
    answered = true;
    answer();
  };
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > MAX_DRAIN_BYTES) once();
  });
  req.once('end', once);
  req.once('close', once);
  req.resume();
}
