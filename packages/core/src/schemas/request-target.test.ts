import { describe, expect, it } from 'vitest';
import { checkRequestTarget } from './request-target.js';

describe('request targets', () => {
  it.each(['/', '/api/sessions', '/api/sessions?status=all&x=%2F%20', "/a/b:c@d!$&'()*+,;=", '/api/x/', '/login?code=Ab-_9', '/api/sessions/a%20b', '/a?b=/c?d'])(
    'accepts %s',
    (target) => {
      expect(checkRequestTarget(target).ok).toBe(true);
    },
  );

  it.each([
    '',
    'api/sessions',
    '*',
    'http://x/api',
    '/api#x',
    '/api?#',
    '/a b',
    '/a\tb',
    '/a\u0000',
    '/a%00',
    '/a%1f',
    '/a%7F',
    '/a\\b',
    '/a%5cb',
    '/a%2fb',
    '/a%2Fb',
    '/\u00e9',
    '/%zz',
    '/%a',
    '/a/../b',
    '/a/./b',
    '/a/%2e%2e/b',
    '/a/.%2E',
    '/a/%2E',
    '//a',
    '/a//b',
    '/a|b',
    '/a?x=<y>',
    '/a?x y',
    `/${'a'.repeat(9000)}`,
  ])('refuses %j', (target) => {
    const r = checkRequestTarget(target);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/^request target: /);
  });
});
