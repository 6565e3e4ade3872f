// The real edge, api and terminal, probed with raw requests (net.Socket): request targets
// outside RFC 3986 are refused at the edge, and no spelling of a path reaches the calls
// the edge makes for itself.
import { join } from 'node:path';
import { openDb } from '@rdv/core/db';
import { waitFor } from '@rdv/core/testing';
import { describe, expect, it } from 'vitest';
import { isErrorBody, rawRequest } from './helpers/raw-http.js';
import { useStack } from './helpers/stack.js';

const stack = await useStack();
const port = Number(new URL(stack.url).port);

/** Signs in with the link the edge printed at start; returns the session cookie. */
async function signIn(): Promise<string> {
  const link = await waitFor(() => /http:\/\/\S+\/login\?code=[\w-]+/.exec(stack.webOutput())?.[0], 'the login link');
  const res = await fetch(link, { redirect: 'manual' });
  expect(res.status).toBe(303);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}
const cookie = await signIn();

const countRows = (sql: string): number => {
  const db = openDb({ path: join(stack.home, 'sqlite.db'), readonly: true });
  try {
    return (db.sqlite.prepare(sql).get() as { n: number }).n;
  } finally {
    db.dispose();
  }
};

const post = (target: string, body: string) =>
  rawRequest(
    { port },
    `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${cookie}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );

describe('the edge refuses request targets outside RFC 3986', () => {
  const targets: Array<[string, string | Buffer]> = [
    ['a fragment', '/api/sessions#x'],
    ['an empty fragment', '/api/sessions?#'],
    ['a raw space', '/api/ses sions'],
    ['a tab', '/api/sessions\t'],
    ['a control byte', '/api/sessions\x01'],
    ['DEL', '/api/sessions\x7f'],
    ['a backslash', '/api\\sessions'],
    ['raw non-ASCII', Buffer.from('/api/s\xe9ssions', 'latin1')],
    ['raw UTF-8', Buffer.from('/api/sessions/\u00e9', 'utf8')],
    ['a NUL byte', '/api/sessions\x00'],
    ['an encoded NUL', '/api/sessions%00'],
    ['a broken escape', '/api/sessions%zz'],
    ['angle brackets', '/api/<script>'],
    ['a pipe', '/api/sessions|x'],
    ['braces', '/api/{x}'],
    ['a double quote', '/api/"x"'],
    ['a caret', '/api/x^y'],
    ['a backtick', '/api/x`y'],
    ['a dot segment', '/api/sessions/../tokens'],
    ['an encoded dot segment', '/api/sessions/%2e%2e/tokens'],
    ['a mixed-case encoded dot segment', '/api/sessions/.%2E/tokens'],
    ['a single encoded dot', '/api/%2e/sessions'],
    ['an encoded slash', '/api/sessions%2f..%2ftokens'],
    ['an encoded backslash', '/api/sessions%5c..%5ctokens'],
    ['an empty segment', '/api//sessions'],
    ['an absolute-form target', 'http://127.0.0.1/api/sessions'],
    ['an asterisk', '*'],
    ['a query with a space', '/api/sessions?a b'],
    ['a query with a fragment', '/api/sessions?x=1#y'],
  ];
  it.each(targets)('%s: 400 with {error:{code,message}}', async (_what, target) => {
    const head = Buffer.concat([Buffer.from('GET '), Buffer.from(target as string | Buffer), Buffer.from(` HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`)]);
    const res = await rawRequest({ port }, head);
    expect(res.status).toBe(400);
    expect(isErrorBody(res.json)).toBe(true);
  });

  it('still serves well-formed targets', async () => {
    const res = await rawRequest({ port }, `GET /api/sessions?status=all&x=%2F%20 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`);
    // The api refuses the unknown query key, which shows the request got there.
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toMatch(/query/);
    const ok = await rawRequest({ port }, `GET /api/sessions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`);
    expect(ok.status).toBe(200);
  });
});

describe("a browser never reaches the edge's own calls", () => {
  const spellings = [
    '/api/auth/resolve-user#x',
    '/api/auth/resolve-user?#',
    '/api/auth/resolve-user#/../../sessions',
    '/API/auth/resolve-user#',
    '/api/auth/login-links/redeem#',
    '/api/auth/resolve-user%23x',
    '/api/auth/resolve-user/.',
    '/api/auth/./resolve-user',
    '/api/sessions/..%2fauth%2fresolve-user',
    '/internal/edge/resolve-user',
    '/internal/edge/login-links',
    '/internal/edge/login-links/redeem',
    '/INTERNAL/Edge/resolve-user',
    '/internal/edge/resolve-user#',
    '/api/../internal/edge/resolve-user',
    '/api/%2e%2e/internal/edge/resolve-user',
    '/api/sessions/%2E%2E/%2e%2e/internal/edge/resolve-user',
    '/api//../internal/edge/resolve-user',
    '//internal/edge/resolve-user',
    'http://rdv/internal/edge/resolve-user',
  ];
  it.each(spellings)('%s resolves no user and creates none', async (target) => {
    const users = countRows('select count(*) as n from users');
    for (const body of ['{"owner":true}', '{"email":"mallory@example.com"}', '{"code":"x"}', '{"userId":"00000000-0000-4000-8000-000000000000"}']) {
      const res = await post(target, body);
      expect(res.status, `${target} ${body}`).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body).not.toMatch(/"isOwner"|"code":"[\w-]{20,}"/);
    }
    expect(countRows('select count(*) as n from users')).toBe(users);
  });
});

describe('failed sign-ins', () => {
  it('are each written to the audit log, with the reason and the source, never the cookie', async () => {
    const rows = () => countRows("select count(*) as n from audit_log where auth_method = 'web'");
    const before = rows();
    for (let i = 0; i < 3; i++) expect((await fetch(`${stack.url}/api/sessions`, { headers: { cookie: 'rdv_session=rdv_web_forged-cookie' } })).status).toBe(401);
    await waitFor(() => rows() >= before + 3, 'three audit rows from the edge');
    const db = openDb({ path: join(stack.home, 'sqlite.db'), readonly: true });
    try {
      expect(JSON.stringify(db.sqlite.prepare('select * from audit_log').all())).not.toContain('forged-cookie');
    } finally {
      db.dispose();
    }
  });
});
