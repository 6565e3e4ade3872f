/**
 * Name of the local-mode session cookie. Its value is a secret the api keeps as a sign-in
 * (server side: revoked at sign-out, idle and absolute limits, `rdv login sessions`).
 */
export const SESSION_COOKIE = 'rdv_session';
/** The cookie's Max-Age when the sign-in's own expiry is not known. */
export const SESSION_MAX_AGE_S = 30 * 24 * 3600;

/** Parses a Cookie header into name → value (first occurrence wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!name || out.has(name)) continue;
    try {
      out.set(name, decodeURIComponent(value));
    } catch {
      // A malformed escape: keep the raw value; it will simply fail verification.
      out.set(name, value);
    }
  }
  return out;
}

/** Set-Cookie for the session: HttpOnly, SameSite=Strict, Path=/, Secure behind Cloudflare (https). */
export function sessionCookieHeader(value: string, options: { secure: boolean; maxAgeS?: number }): string {
  const maxAge = options.maxAgeS ?? SESSION_MAX_AGE_S;
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAge}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}
