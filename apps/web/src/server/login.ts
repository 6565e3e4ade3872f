import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAppError } from '@rdv/core/errors';
import type { Logger } from '@rdv/core/log';
import type { EdgeApi } from './edge-calls.js';
import { sendPage } from './responses.js';
import { SESSION_COOKIE, parseCookies, sessionCookieHeader } from './session-cookie.js';

export interface LoginDeps {
  /** The edge's own calls to the api (edge-calls.ts). */
  api: EdgeApi;
  /** Mark the cookie Secure (the browser reaches the edge over https). */
  secureCookie: boolean;
  log: Logger;
  /** Told when a browser signs out, so its open terminals and event streams close at once. */
  onSignedOut?: (sessionId: string) => void;
}

const FRESH_LINK_HINT = 'Run `rdv login-link` on the machine running rdv to get a fresh link.';

/**
 * GET /login?code=…: uses up a one-time code at the api and, if it names a user, starts a
 * sign-in, sets its cookie and sends the browser to the app. The code is never logged.
 * HEAD (link previews, prefetchers) never uses up a code.
 */
export async function handleLogin(req: IncomingMessage, res: ServerResponse, deps: LoginDeps): Promise<void> {
  const code = new URL(req.url ?? '/', 'http://edge').searchParams.get('code') ?? '';
  if (req.method === 'HEAD') return sendPage(res, 200, 'Sign in to rdv', ['Open this link in your browser to sign in.']);
  if (req.method !== 'GET') {
    return sendPage(res, 405, 'Use the link as it is', ['Open the login link in your browser.']);
  }
  if (!code || code.length > 200) {
    return sendPage(res, 400, 'This link has no login code', ['Open the full link printed when rdv started.', FRESH_LINK_HINT]);
  }
  let user;
  try {
    user = await deps.api.redeemLoginLink(code);
  } catch (err) {
    deps.log.warn({ err: isAppError(err) ? err.message : err }, 'login link could not be checked');
    return sendPage(res, 503, 'rdv is not ready', ['The rdv api did not answer. Check that rdv is running (`rdv status`), then try a fresh link.']);
  }
  if (!user) {
    deps.log.info('login link refused (invalid, used or expired)');
    return sendPage(res, 401, 'This login link no longer works', ['Login links work once and expire after 10 minutes.', FRESH_LINK_HINT]);
  }
  let session;
  try {
    session = await deps.api.createLoginSession(user.id, req.headers['user-agent']);
  } catch (err) {
    deps.log.warn({ err: isAppError(err) ? err.message : err }, 'could not start a sign-in');
    return sendPage(res, 503, 'rdv is not ready', ['The rdv api did not answer. Check that rdv is running (`rdv status`), then try a fresh link.']);
  }
  deps.log.info({ userId: user.id, sessionId: session.id }, 'signed in with a login link');
  const maxAgeS = Math.max(0, Math.floor((Date.parse(session.expiresAt) - Date.now()) / 1000));
  res.writeHead(303, {
    location: '/',
    'set-cookie': sessionCookieHeader(session.secret, { secure: deps.secureCookie, maxAgeS }),
    'cache-control': 'no-store',
  });
  res.end();
}

/** POST /auth/logout (local mode): ends the sign-in at the api (closing what it opened) and clears the cookie. */
export async function handleLogout(req: IncomingMessage, res: ServerResponse, deps: LoginDeps): Promise<void> {
  const secret = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
  if (secret && secret.length <= 512) {
    try {
      const sessionId = await deps.api.endLoginSession(secret);
      if (sessionId) deps.onSignedOut?.(sessionId);
    } catch (err) {
      deps.log.warn({ err: isAppError(err) ? err.message : err }, 'could not end the sign-in at the api');
      return sendPage(res, 503, 'rdv is not ready', ['The rdv api did not answer, so this sign-in could not be ended. Try again once rdv runs (`rdv status`).']);
    }
  }
  sendPage(res, 200, 'Signed out', ['You can close this tab.', FRESH_LINK_HINT], {
    'set-cookie': sessionCookieHeader('', { secure: deps.secureCookie, maxAgeS: 0 }),
  });
}

/**
 * Asks the api for a login link for the owner and prints it, retrying while the api
 * is still starting (for up to `timeoutMs`). Resolves false when it gave up.
 */
export async function announceLoginLink(options: {
  api: EdgeApi;
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
      const owner = await options.api.resolveUser({ owner: true });
      const link = await options.api.createLoginLink(owner.id);
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
