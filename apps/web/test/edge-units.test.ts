import { useTempDir } from '@rdv/core/testing';
import { loadConfig } from '@rdv/core/config';
import { describe, expect, it } from 'vitest';
import { apiPathFor, downstreamHeaders, upstreamHeaders } from '../src/server/headers.js';
import { isLocalHostHeader, isLoopbackHost, isSafeCertsUrl, parseListen } from '../src/server/listen.js';
import { createAccessVerifier } from '../src/server/cloudflare.js';
import { SESSION_MAX_AGE_S, parseCookies, sessionCookieHeader } from '../src/server/session-cookie.js';
import { checkEdgeConfig } from '../src/server/edge-config.js';

const USER = '6f1c2b9a-1d2e-4f3a-8b4c-5d6e7f809a1b';
const OTHER = '0a0b0c0d-0e0f-4a1b-8c2d-3e4f5a6b7c8d';

describe('upstream headers', () => {
  it('drops every client X-RDV-* header, credentials and hop-by-hop headers, then sets the identity', () => {
    const out = upstreamHeaders(
      {
        'x-rdv-service-token': 'forged',
        'x-rdv-user-id': OTHER,
        'X-RDV-Anything': 'x',
        cookie: 'rdv_session=abc; CF_Authorization=jwt',
        authorization: 'Bearer stolen',
        'cf-access-jwt-assertion': 'jwt',
        connection: 'keep-alive, x-custom-hop',
        'x-custom-hop': 'drop me',
        'transfer-encoding': 'chunked',
        host: 'evil.example',
        'content-type': 'application/json',
        'last-event-id': '42',
        accept: 'text/event-stream',
      },
      { serviceToken: 'real-token', userId: USER },
    );
    expect(out).toEqual({
      host: 'rdv',
      'content-type': 'application/json',
      'last-event-id': '42',
      accept: 'text/event-stream',
      'x-rdv-service-token': 'real-token',
      'x-rdv-user-id': USER,
    });
  });

  it('does not pass cookies from a service to the browser', () => {
    expect(downstreamHeaders({ 'set-cookie': ['a=b'], 'content-type': 'text/event-stream', connection: 'keep-alive' })).toEqual({ 'content-type': 'text/event-stream' });
  });
});

describe('api paths', () => {
  it('forwards ordinary /api paths as they are', () => {
    expect(apiPathFor('/api/sessions?status=all')).toBe('/api/sessions?status=all');
    expect(apiPathFor('/api/auth/login-links')).toBe('/api/auth/login-links');
  });
  it.each([
    '/internal/edge/resolve-user',
    '/API/internal/edge/resolve-user',
    '/api//internal/edge/resolve-user',
    '/api/auth/resolve-user#x',
    '/api/sessions/../../internal/edge/resolve-user',
    '/api/sessions/%2e%2e/%2E%2E/internal/edge/resolve-user',
    '/api/sessions/%2finternal',
    '/api/sessions/../auth/resolve-user',
    '/api/sessions/%2e%2e/auth/resolve-user',
    '/api/x\\..\\auth',
    '/apix',
    '/health',
    '/api/%zz',
  ])('refuses %s', (path) => {
    expect(apiPathFor(path)).toBeNull();
  });
});

describe('session cookie', () => {
  it('sets HttpOnly, SameSite=Strict, Path=/ and Secure only when asked', () => {
    expect(sessionCookieHeader('v', { secure: false })).toBe(`rdv_session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MAX_AGE_S}`);
    expect(sessionCookieHeader('v', { secure: true })).toMatch(/; Secure$/);
    expect(parseCookies('a=1; rdv_session=x%3Dy; a=2; bad')).toEqual(new Map([['a', '1'], ['rdv_session', 'x=y']]));
  });
});

describe('listen address and auth mode', () => {
  it('parses host:port, bare ports and socket paths', () => {
    expect(parseListen('127.0.0.1:6001', '/h')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 6001 });
    expect(parseListen('[::1]:7000', '/h')).toEqual({ kind: 'tcp', host: '::1', port: 7000 });
    expect(parseListen('6002', '/h')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 6002 });
    expect(parseListen('/run/rdv/web.sock', '/h')).toEqual({ kind: 'unix', path: '/run/rdv/web.sock' });
    expect(parseListen('run/web.sock', '/h')).toEqual({ kind: 'unix', path: '/h/run/web.sock' });
    expect(() => parseListen('nonsense:port', '/h')).toThrow(/neither host:port/);
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.1.2.3')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('::')).toBe(false);
    expect(isLoopbackHost('192.168.1.5')).toBe(false);
  });

  it('refuses a non-loopback listen without Cloudflare Access, saying why', () => {
    const home = useTempDir();
    const local = loadConfig({ env: { RDV_HOME: home, RDV_WEB_LISTEN: '0.0.0.0:6001' } });
    expect(() => checkEdgeConfig(local)).toThrow(/refusing to listen on 0\.0\.0\.0:6001 .*RDV_WEB_LISTEN.*only loopback/);
    const cf = loadConfig({ env: { RDV_HOME: home, RDV_WEB_LISTEN: '0.0.0.0:6001', RDV_CF_TEAM_DOMAIN: 't.cloudflareaccess.com', RDV_CF_AUD: 'x' } });
    expect(checkEdgeConfig(cf)).toMatchObject({ cloudflare: true });
    const half = loadConfig({ env: { RDV_HOME: home, RDV_CF_AUD: 'x' } });
    expect(() => checkEdgeConfig(half)).toThrow(/needs both cloudflare\.team_domain and cloudflare\.aud/);
    expect(checkEdgeConfig(loadConfig({ env: { RDV_HOME: home } }))).toMatchObject({ cloudflare: false, target: { kind: 'tcp', host: '127.0.0.1', port: 6001 } });
  });

  it.each(['/tmp/rdv-web.sock', './run/web.sock', 'run/web.sock', '~/web.sock'])('refuses local mode on the unix socket %s (it exists for cloudflared)', (listen) => {
    const home = useTempDir();
    expect(() => checkEdgeConfig(loadConfig({ env: { RDV_HOME: home, RDV_WEB_LISTEN: listen } }))).toThrow(/unix socket.*without Cloudflare Access/);
    const cf = loadConfig({ env: { RDV_HOME: home, RDV_WEB_LISTEN: listen, RDV_CF_TEAM_DOMAIN: 't.cloudflareaccess.com', RDV_CF_AUD: 'x' } });
    expect(checkEdgeConfig(cf)).toMatchObject({ cloudflare: true, target: { kind: 'unix' } });
  });
});

describe('local mode Host check (DNS rebinding)', () => {
  it('accepts only loopback names on the edge\'s own port', () => {
    for (const host of ['127.0.0.1:6001', 'localhost:6001', 'LOCALHOST:6001', '[::1]:6001', '127.0.0.2:6001', 'localhost.:6001']) expect(isLocalHostHeader(host, 6001), host).toBe(true);
    for (const host of [undefined, '', '127.0.0.1', '127.0.0.1:6002', 'evil.example:6001', 'evil.example', '127.0.0.1.nip.io:6001', '0.0.0.0:6001', '[::]:6001', '192.168.1.2:6001', '127.0.0.1:6001 ', 'localhost:6001@evil', '[::1]:06001x'])
      expect(isLocalHostHeader(host, 6001), String(host)).toBe(false);
  });
});

describe('certs_url', () => {
  it('must be https, or http only on a loopback address', () => {
    for (const ok of ['https://team.cloudflareaccess.com/cdn-cgi/access/certs', 'http://127.0.0.1:9/certs', 'http://localhost:8080/c', 'http://[::1]:9/certs']) expect(isSafeCertsUrl(ok), ok).toBe(true);
    for (const bad of ['http://team.cloudflareaccess.com/cdn-cgi/access/certs', 'http://127.0.0.1.evil.example/certs', 'http://10.0.0.1/certs', 'ftp://127.0.0.1/c', 'file:///etc/keys.json', 'https://u:p@team.example/c', 'not a url'])
      expect(isSafeCertsUrl(bad), bad).toBe(false);
    const home = useTempDir();
    const cf = { RDV_HOME: home, RDV_CF_TEAM_DOMAIN: 't.cloudflareaccess.com', RDV_CF_AUD: 'x' };
    expect(() => checkEdgeConfig(loadConfig({ env: { ...cf, RDV_CF_CERTS_URL: 'http://keys.example/certs' } }))).toThrow(/cloudflare\.certs_url .*RDV_CF_CERTS_URL.*must be an https URL/);
    expect(checkEdgeConfig(loadConfig({ env: { ...cf, RDV_CF_CERTS_URL: 'http://127.0.0.1:9/certs' } }))).toMatchObject({ cloudflare: true });
    expect(() => createAccessVerifier({ teamDomain: 't.cloudflareaccess.com', aud: 'x', certsUrl: 'http://keys.example/c' })).toThrow(/must be https/);
  });
});
