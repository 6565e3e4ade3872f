import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAccessVerifier, normalizeTeamDomain } from '../src/server/cloudflare.js';
import { AUD, ISSUER, TEAM, unsignedToken, useTestAccess } from './helpers/jwks.js';

const access = await useTestAccess();
const verifier = createAccessVerifier({ teamDomain: TEAM, aud: AUD, certsUrl: access.certsUrl });

describe('Cloudflare Access verification', () => {
  it('accepts a valid RS256 token and returns its email, lowercased', async () => {
    const result = await verifier.verify(await access.token({ email: 'Ada@Example.com' }));
    expect(result).toEqual({ ok: true, email: 'ada@example.com' });
    expect(verifier.issuer).toBe(ISSUER);
  });

  it('refuses an expired token', async () => {
    const result = await verifier.verify(await access.token(undefined, { expSeconds: -120 }));
    expect(result).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/expired/) });
  });

  it('refuses the wrong audience and the wrong issuer', async () => {
    expect(await verifier.verify(await access.token(undefined, { aud: 'another-app' }))).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/aud/) });
    expect(await verifier.verify(await access.token(undefined, { iss: 'https://evil.cloudflareaccess.com' }))).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/iss/) });
  });

  it('refuses alg: none and an HMAC token keyed with public material', async () => {
    expect(await verifier.verify(unsignedToken())).toMatchObject({ ok: false, status: 401 });
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const head = `${b64({ alg: 'HS256', kid: 'test-key-1' })}.${b64({ email: 'ada@example.com', iss: ISSUER, aud: AUD, iat: now, exp: now + 60 })}`;
    const forged = `${head}.${createHmac('sha256', 'test-key-1').update(head).digest('base64url')}`;
    expect(await verifier.verify(forged)).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/algorithm/) });
  });

  it('refuses a token signed by a key the JWKS does not publish', async () => {
    const unknownKid = await access.token(undefined, { kid: 'not-published', key: access.strangerKey });
    expect(await verifier.verify(unknownKid)).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/unknown key/) });
    const sameKidOtherKey = await access.token(undefined, { key: access.strangerKey });
    expect(await verifier.verify(sameKidOtherKey)).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/signature/) });
  });

  it('refuses a tampered payload, garbage, no token and a token without an email', async () => {
    const [h, , s] = (await access.token()).split('.');
    const payload = Buffer.from(JSON.stringify({ email: 'mallory@example.com', iss: ISSUER, aud: AUD, exp: 9_999_999_999, iat: 1 })).toString('base64url');
    expect(await verifier.verify(`${h}.${payload}.${s}`)).toMatchObject({ ok: false, status: 401 });
    expect(await verifier.verify('not.a.jwt')).toMatchObject({ ok: false, status: 401 });
    expect(await verifier.verify(undefined)).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/no Cloudflare Access token/) });
    expect(await verifier.verify(await access.token({ common_name: 'service-token' }))).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/no email/) });
  });

  it('applies the allowlist with 403', async () => {
    const only = createAccessVerifier({ teamDomain: TEAM, aud: AUD, certsUrl: access.certsUrl, allowedEmails: ['Grace@Example.com'] });
    expect(await only.verify(await access.token({ email: 'grace@example.com' }))).toEqual({ ok: true, email: 'grace@example.com' });
    expect(await only.verify(await access.token({ email: 'ada@example.com' }))).toMatchObject({ ok: false, status: 403 });
  });

  it('fails closed when the keys cannot be fetched', async () => {
    const offline = createAccessVerifier({ teamDomain: TEAM, aud: AUD, certsUrl: 'http://127.0.0.1:9/certs' });
    expect(await offline.verify(await access.token())).toMatchObject({ ok: false, status: 401, reason: expect.stringMatching(/could not be fetched/) });
  });

  it('derives the issuer and JWKS URL from the team domain', () => {
    expect(normalizeTeamDomain('https://MyTeam.cloudflareaccess.com/')).toBe('myteam.cloudflareaccess.com');
    const v = createAccessVerifier({ teamDomain: 'myteam.cloudflareaccess.com', aud: 'x' });
    expect(v.certsUrl).toBe('https://myteam.cloudflareaccess.com/cdn-cgi/access/certs');
    expect(() => createAccessVerifier({ teamDomain: '', aud: 'x' })).toThrow(/team_domain and aud/);
  });
});
