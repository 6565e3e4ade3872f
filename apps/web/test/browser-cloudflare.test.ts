// Cloudflare mode end to end: Access tokens signed by a local JWKS stand in for Cloudflare;
// forged, expired and misdirected tokens never reach a service; forged X-RDV-* headers do nothing.
// Each test starts from an owner (ada) with no sessions, in browser contexts of its own.
import type { BrowserContext, Page } from 'playwright-core';
import { beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { DESKTOP, expectScreen, screenText, shot, useBrowser } from './helpers/browser.js';
import { AUD, TEAM, unsignedToken, useTestAccess } from './helpers/jwks.js';
import { useStack } from './helpers/stack.js';

const access = await useTestAccess();
const stack = await useStack({
  RDV_CF_TEAM_DOMAIN: TEAM,
  RDV_CF_AUD: AUD,
  RDV_CF_CERTS_URL: access.certsUrl,
  RDV_ALLOWED_EMAILS: 'ada@example.com, grace@example.com',
  RDV_OWNER_EMAIL: 'ada@example.com',
});
const browser = await useBrowser();

/** A browser context for this test (closed after it) carrying an Access token. */
async function contextWith(token: string, via: 'cookie' | 'header' = 'cookie'): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext(via === 'header' ? { ...DESKTOP, extraHTTPHeaders: { 'Cf-Access-Jwt-Assertion': token } } : DESKTOP);
  onTestFinished(() => ctx.close());
  if (via === 'cookie') await ctx.addCookies([{ name: 'CF_Authorization', value: token, url: stack.url, httpOnly: true, sameSite: 'Lax' }]);
  return { ctx, page: await ctx.newPage() };
}

/** A session of ada's (the owner) that has printed `behind-access`. */
const adaSession = async () => (await stack.shell('ada work', { command: 'echo behind-access', until: /^behind-access$/m })).id;

beforeEach(() => stack.reset());

describe('Cloudflare Access mode', () => {
  it('prints no login link and refuses a browser without an Access token', async () => {
    expect(stack.webOutput()).not.toMatch(/login\?code=/);
    const ctx = await browser.newContext(DESKTOP);
    onTestFinished(() => ctx.close());
    const page = await ctx.newPage();
    expect((await page.goto(stack.url))?.status()).toBe(401);
    await page.getByRole('heading', { name: 'Cloudflare Access required' }).waitFor();
    await shot(page, 'cf-01-no-token');
    expect((await page.goto(`${stack.url}/login?code=whatever`))?.status()).toBe(401);
  });

  it('signs in with a valid token (CF_Authorization cookie); terminals work through it', async () => {
    const { page } = await contextWith(await access.token({ email: 'ada@example.com' }));
    await page.goto(stack.url);
    await page.getByText('ada@example.com').waitFor();
    await page.locator('.empty-card').getByRole('button', { name: 'New session' }).click();
    await page.getByRole('dialog', { name: 'New session' }).getByLabel('Name').fill('ada work');
    await page.getByRole('dialog', { name: 'New session' }).getByRole('button', { name: 'Start session' }).click();
    await expect.poll(() => screenText(page).catch(() => ''), { timeout: 15_000 }).toMatch(/\S/);
    await page.locator('.terminal-slot:not([hidden]) .xterm').click();
    await page.keyboard.type('echo behind-access\n');
    await expectScreen(page, /^behind-access$/m);
    expect(new URL(page.url()).searchParams.get('s')).toMatch(/^[0-9a-f-]{36}$/);
    await shot(page, 'cf-02-signed-in');
  });

  it('accepts the Cf-Access-Jwt-Assertion header as Cloudflare sends it', async () => {
    const id = await adaSession();
    const { page } = await contextWith(await access.token({ email: 'ada@example.com' }), 'header');
    await page.goto(`${stack.url}/?s=${id}`);
    await expectScreen(page, /^behind-access$/m);
    await shot(page, 'cf-03-header');
  });

  const forged: Array<[string, () => Promise<string>, RegExp]> = [
    ['expired', () => access.token({ email: 'ada@example.com' }, { expSeconds: -300 }), /expired/],
    ['wrong-audience', () => access.token({ email: 'ada@example.com' }, { aud: 'some-other-app' }), /aud/],
    ['wrong-issuer', () => access.token({ email: 'ada@example.com' }, { iss: 'https://evil.cloudflareaccess.com' }), /iss/],
    ['alg-none', async () => unsignedToken({ email: 'ada@example.com' }), /invalid|algorithm|malformed/],
    ['unknown-key', () => access.token({ email: 'ada@example.com' }, { kid: 'rogue', key: access.strangerKey }), /unknown key/],
  ];
  it.each(forged)('refuses a %s token with 401, in the page, the API and the websocket', async (name, make, reason) => {
    const token = await make();
    const id = await adaSession();
    const { page } = await contextWith(token);
    const res = await page.goto(stack.url);
    expect(res?.status()).toBe(401);
    await page.getByRole('heading', { name: 'Cloudflare Access required' }).waitFor();
    expect(await page.locator('main').innerText()).toMatch(reason);
    const api = await page.evaluate(async () => {
      const r = await fetch('/api/sessions');
      return { status: r.status, body: await r.json() };
    });
    expect(api).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    const ws = await page.evaluate(
      (id) =>
        new Promise<string>((resolve) => {
          const s = new WebSocket(`ws://${location.host}/ws/terminal/${id}`);
          s.onopen = () => resolve('open');
          s.onclose = () => resolve('closed');
        }),
      id,
    );
    expect(ws).toBe('closed');
    await shot(page, `cf-04-refused-${name}`);
  });

  it('refuses a verified email that is not on the allowlist (403)', async () => {
    const { page } = await contextWith(await access.token({ email: 'mallory@example.com' }));
    expect((await page.goto(stack.url))?.status()).toBe(403);
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    await shot(page, 'cf-05-not-allowed');
  });

  it('forged X-RDV-* headers change nothing: another user sees only their own sessions', async () => {
    const id = await adaSession();
    const realServiceToken = stack.serviceToken();
    const ada = await fetch(`${stack.url}/auth/whoami`, { headers: { 'cf-access-jwt-assertion': await access.token({ email: 'ada@example.com' }) } }).then((r) => r.json() as Promise<{ userId: string }>);
    const { page } = await browser.newContext({ ...DESKTOP, extraHTTPHeaders: { 'X-RDV-User-ID': ada.userId, 'X-RDV-Service-Token': realServiceToken } }).then(async (c) => {
      onTestFinished(() => c.close());
      await c.addCookies([{ name: 'CF_Authorization', value: await access.token({ email: 'grace@example.com' }), url: stack.url }]);
      return { ctx: c, page: await c.newPage() };
    });
    await page.goto(stack.url);
    await page.getByText('grace@example.com').waitFor();
    await page.getByRole('heading', { name: 'Start your first session' }).waitFor();
    const seen = await page.evaluate(async (adaId) => {
      const h = { 'X-RDV-User-ID': adaId, 'X-RDV-Service-Token': 'forged' };
      const me = await (await fetch('/api/auth/me', { headers: h })).json();
      const list = await (await fetch('/api/sessions', { headers: h })).json();
      const resolve = await fetch('/api/auth/resolve-user', { method: 'POST', headers: { ...h, 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ada@example.com' }) });
      return { email: me.user.email, count: list.items.length, resolve: resolve.status };
    }, ada.userId);
    expect(seen).toEqual({ email: 'grace@example.com', count: 0, resolve: 404 });
    const ws = await page.evaluate(
      (id) =>
        new Promise<number>((resolve) => {
          const s = new WebSocket(`ws://${location.host}/ws/terminal/${id}`);
          s.onclose = (e) => resolve(e.code);
        }),
      id,
    );
    expect(ws).toBe(4404);
    await shot(page, 'cf-06-forged-headers');
  });
});
