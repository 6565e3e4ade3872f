// Malformed inputs for the bad-input suite: HTTP requests as raw bytes (JSON bodies, headers,
// request targets) and websocket frames. Every one is wrong on purpose, so every answer
// must be a refusal.
import { seeded } from './harness.js';

export type Door = 'edge' | 'api';
export type Kind = 'json' | 'header' | 'path' | 'frame';
export interface HttpInput {
  kind: Exclude<Kind, 'frame'>;
  door: Door;
  bytes: Buffer;
}

const FAKE_ID = '00000000-0000-4000-8000-000000000000';
/** Routes with a JSON body, each with a body its schema must refuse. */
const BODY_ROUTES: Array<[string, string]> = [
  ['POST', '/api/sessions'],
  ['POST', '/api/folders'],
  ['POST', '/api/tokens'],
  ['POST', `/api/sessions/${FAKE_ID}/exec`],
  ['PATCH', `/api/sessions/${FAKE_ID}`],
  ['PATCH', '/api/preferences'],
  ['POST', '/api/orchestrators'],
  ['POST', '/api/worktrees'],
  ['POST', '/api/sessions/reorder'],
];

const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
/** Bodies no route accepts: broken JSON, wrong types, huge, deep, invalid UTF-8, unknown keys. */
const BODIES: Array<(r: ReturnType<typeof seeded>) => Buffer> = [
  () => Buffer.from('{"name": "x'),
  () => Buffer.from('{"name": 123, "kind": []}'),
  () => Buffer.from('[]'),
  () => Buffer.from('"just a string"'),
  () => Buffer.from('null'),
  () => Buffer.from('{"name": {"$ne": 1}, "kind": "shell", "command": ["rm"]}'),
  () => Buffer.from(`{"name": "${'x'.repeat(1_200_000)}"}`),
  (r) => Buffer.from(deep(1000 + r.int(50_000))),
  () => Buffer.concat([Buffer.from('{"\xff\xfe": 1, "name": '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('}')]),
  () => Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]),
  () => Buffer.from('{"name": "ok", "kind": "shell", "unknownKey": true, "cwd": 7}'),
  () => Buffer.from('{"ids": "not-an-array", "name": null}'),
  (r) => Buffer.from(JSON.stringify({ name: 'x'.repeat(r.int(300) + 300), kind: 'nope' })),
  () => Buffer.from('{"a":1,'.repeat(5000)),
];

/** Request targets every server refuses before routing. */
const BAD_BITS = ['#', '#x', '%00', '\\', '/../', '/./', '/%2e%2e/', '/.%2E/', '%2f', '%2F', '%5c', '%zz', '%4x', '%g0', '//', '\x7f', '"', '<', '>', '{', '}', '|', '^', '`', ' x', '\t', '\u00e9', '\x01', '\x00'];

function badTarget(r: ReturnType<typeof seeded>): string {
  const base = r.pick(['/api/sessions', `/api/sessions/${FAKE_ID}`, '/api/folders', '/api/events', '/api/tokens/x', '/ws/terminal/x']);
  const at = 1 + r.int(base.length - 1);
  return `${base.slice(0, at)}${r.pick(BAD_BITS)}${base.slice(at)}`;
}

/** Headers Node's parser (or the guard after it) refuses. */
const BAD_HEADERS: Array<(r: ReturnType<typeof seeded>) => string> = [
  () => 'Content-Length: 5\r\nContent-Length: 6\r\n',
  () => 'Transfer-Encoding: chunked\r\nContent-Length: 4\r\n',
  (r) => `X-Big: ${'a'.repeat(17_000 + r.int(20_000))}\r\n`,
  () => 'X-Bad: a\x00b\r\n',
  () => 'No-Colon-Here\r\n',
  () => 'X-Folded: a\r\n  continued\r\n',
  () => 'Content-Length: -1\r\n',
  () => 'Content-Length: 1e3\r\n',
  () => 'Transfer-Encoding: chunked\r\n',
  () => 'Host: a\r\nHost: b\r\n',
  () => ' Leading-Space: x\r\n',
];

/** One malformed HTTP request as raw bytes, for the edge (with `cookie`) or api.sock (with `token`). */
export function httpInput(r: ReturnType<typeof seeded>, door: Door, auth: { cookie: string; token: string; host: string }): HttpInput {
  const credential = door === 'edge' ? `Cookie: ${auth.cookie}\r\n` : `Authorization: Bearer ${auth.token}\r\n`;
  const host = `Host: ${door === 'edge' ? auth.host : 'rdv'}\r\n`;
  const roll = r.next();
  if (roll < 0.45) {
    const [method, path] = r.pick(BODY_ROUTES);
    const body = r.pick(BODIES)(r);
    const type = r.next() < 0.85 ? 'application/json' : r.pick(['text/plain', 'application/json; charset=latin1', 'application/x-www-form-urlencoded']);
    const head = `${method} ${path} HTTP/1.1\r\n${host}${credential}Content-Type: ${type}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    return { kind: 'json', door, bytes: Buffer.concat([Buffer.from(head, 'latin1'), body]) };
  }
  if (roll < 0.7) {
    const extra = r.pick(BAD_HEADERS)(r);
    const chunkedGarbage = extra.includes('chunked') ? 'zz\r\nnot a chunk\r\n' : 'hello';
    const head = `POST /api/folders HTTP/1.1\r\n${host}${credential}${extra}Connection: close\r\n\r\n${chunkedGarbage}`;
    return { kind: 'header', door, bytes: Buffer.from(head, 'latin1') };
  }
  const target = badTarget(r);
  return { kind: 'path', door, bytes: Buffer.from(`GET ${target} HTTP/1.1\r\n${host}${credential}Connection: close\r\n\r\n`, 'utf8') };
}

/** A client frame the terminal protocol refuses: text, binary, oversized or fragmented. */
export type FrameInput =
  | { type: 'text'; data: string | Buffer }
  | { type: 'binary'; data: Buffer }
  | { type: 'oversized'; bytes: number }
  | { type: 'fragmented'; parts: string[] }
  | { type: 'raw'; bytes: Buffer };

export function frameInput(r: ReturnType<typeof seeded>): FrameInput {
  const roll = r.next();
  if (roll < 0.5) {
    return {
      type: 'text',
      data: r.pick([
        'garbage',
        '{',
        '[]',
        'null',
        '{"type":"nope"}',
        '{"type":"input"}',
        '{"type":"input","data":7}',
        '{"type":"resize","cols":-1,"rows":0}',
        '{"type":"resize","cols":"80","rows":24}',
        '{"type":"resize","cols":100000,"rows":100000}',
        '{"type":"ping","extra":true}',
        JSON.stringify({ type: 'input', data: 'x'.repeat(300_000) }),
      ]),
    };
  }
  if (roll < 0.65) return { type: 'binary', data: Buffer.from([0xde, 0xad, 0xbe, 0xef, r.int(256)]) };
  // Past the 1 MiB frame limit of the edge and the terminal service.
  if (roll < 0.75) return { type: 'oversized', bytes: (1 << 20) + 1 + r.int(1 << 20) };
  if (roll < 0.9) return { type: 'fragmented', parts: ['{"type":"in', 'put","da', r.pick(['ta":1}', 'ta":"x"', '"}'])] };
  // Frame bytes no websocket peer may send: reserved bits, an unmasked client frame, a bad opcode.
  return { type: 'raw', bytes: Buffer.from(r.pick([[0xf1, 0x80, 0, 0, 0, 0], [0x81, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f], [0x83, 0x80, 1, 2, 3, 4], [0x88, 0xfe, 0xff]])) };
}
