import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RdvClient } from '@rdv/client';
import { isAppError } from '@rdv/core/errors';
import type { Logger } from '@rdv/core/log';
import { sendPage } from './responses.js';
import { sessionCookieHeader, type CookieSigner } from './session-cookie.js';

export interface LoginDeps {
  /** The api with the service token. */
  api: RdvClient;
  signer: CookieSigner;
  /** Mark the cookie Secure (the browser reaches the edge over https). */
  secureCookie: boolean;
  log: Logger;
}

const FRESH_LINK_HINT = 'Run `rdv login-link` on the machine running rdv to get a fresh link.';

/**
 * GET /login?code=…: uses up a one-time code at the api and, if it names a user, sets
 * the signed session cookie and sends the browser to the app. The code is never logged.
 */
export async function handleLogin(req: IncomingMessage, res: ServerResponse, deps: LoginDeps): Promise<void> {
  const code = new URL(req.url ?? '/', 'http://edge').searchParams.get('code') ?? '';
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendPage(res, 405, 'Use the link as it is', ['Open the login link in your browser.']);
  }
  if (!code || code.length > 200) {
    return sendPage(res, 400, 'This link has no login code', ['Open the full link printed when rdv started.', FRESH_LINK_HINT]);
  }
  let user = null;
  try {
    user = await deps.api.POST('/api/auth/login-links/redeem', { body: { code } });
  } catch (err) {
    // 401 is the api's answer for a code that is invalid, used or expired.
    if (!isAppError(err) || err.code !== 'unauthorized') {
      deps.log.warn({ err: isAppError(err) ? err.message : err }, 'login link could not be checked');
      return sendPage(res, 503, 'rdv is not ready', ['The rdv api did not answer. Check that rdv is running (`rdv status`), then try a fresh link.']);
    }
  }
  if (!user) {
    deps.log.info('login link refused (invalid, used or expired)');
    return sendPage(res, 401, 'This login link no longer works', ['Login links work once and expire after 10 minutes.', FRESH_LINK_HINT]);
  }
  deps.log.info({ userId: user.id }, 'signed in with a login link');
  res.writeHead(303, {
    location: '/',
    'set-cookie': sessionCookieHeader(deps.signer.sign(user.id), { secure: deps.secureCookie }),
    'cache-control': 'no-store',
  });
  res.end();
}

/** POST /auth/logout (local mode): clears the session cookie. */
export function handleLogout(res: ServerResponse, deps: Pick<LoginDeps, 'secureCookie'>): void {
  sendPage(res, 200, 'Signed out', ['You can close this tab.', FRESH_LINK_HINT], {
    'set-cookie': sessionCookieHeader('', { secure: deps.secureCookie, maxAgeS: 0 }),
  });
}

/**
 * Asks the api for a login link for the owner and prints it, retrying while the api
 * is still starting (for up to `timeoutMs`). Resolves false when it gave up.
 */
export async function announceLoginLink(options: {
  api: RdvClient;
  origin: string | null;
  print: (line: string) => void;
  log: Logger;
  isStopped: () => boolean;
  timeoutMs?: number;
}): Promise<boolean> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let waitMs = 250;
  while (!options.isStopped()) {
    try {
      const owner = await options.api.POST('/api/auth/resolve-user', { body: { owner: true } });
      const link = await options.api.POST('/api/auth/login-links', { headers: { 'x-rdv-user-id': owner.id } });
      const path = `/login?code=${encodeURIComponent(link.code)}`;
      options.print(
        options.origin
          ? `Sign in to rdv: ${options.origin}${path}\n  (works once, for 10 minutes; "rdv login-link" prints a fresh one)`
          : `Sign in to rdv: open ${path} on the web socket's public address (works once, for 10 minutes)`,
      );
      return true;
    } catch (err) {
      if (Date.now() + waitMs > deadline) {
        options.log.warn({ err: isAppError(err) ? err.message : err }, 'could not create a login link; use "rdv login-link" once rdv is up');
        return false;
      }
    }
    await new Promise((r) => setTimeout(r, waitMs));
    waitMs = Math.min(waitMs * 2, 5000);
  }
  return false;
}
