// The one check of an HTTP request target (the path and query of the request line),
// applied by every rdv server before routing. Browser-safe: no Node imports.

export type RequestTargetCheck = { ok: true; path: string; query: string } | { ok: false; message: string };

/** Longest request target accepted; browsers and the CLI never come close. */
export const MAX_REQUEST_TARGET_CHARS = 8192;

// RFC 3986 §3.3 pchar (unreserved, sub-delims, ":" and "@") or a percent-escape.
const PCHAR = "[A-Za-z0-9\\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2}";
const PATH_RE = new RegExp(`^(?:/(?:${PCHAR})*)+$`);
// RFC 3986 §3.4: query = *( pchar / "/" / "?" ).
const QUERY_RE = new RegExp(`^(?:${PCHAR}|[/?])*$`);
// Escapes that would change how a path splits or reads once decoded: "/", "\", NUL and
// the other control characters.
const BAD_PATH_ESCAPE = /%(?:2f|5c|[01][0-9a-f]|7f)/i;

/**
 * Accepts only an origin-form target ("/path?query") made of RFC 3986 path and query
 * characters, with well-formed escapes, no dot segment (plain or encoded), no empty
 * segment and no encoded slash, backslash or control character in the path. Everything
 * else — a fragment ("#"), spaces, control or non-ASCII bytes, backslashes, absolute-form
 * or "*" targets — is refused, so every server sees a path exactly as it will route it.
 */
export function checkRequestTarget(target: string): RequestTargetCheck {
  if (target.length === 0 || target.length > MAX_REQUEST_TARGET_CHARS) {
    return { ok: false, message: `request target: empty or longer than ${MAX_REQUEST_TARGET_CHARS} characters` };
  }
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q + 1);
  if (!PATH_RE.test(path)) {
    return { ok: false, message: 'request target: the path must start with "/" and hold only URL path characters (no "#", spaces, backslashes or raw non-ASCII)' };
  }
  if (!QUERY_RE.test(query)) return { ok: false, message: 'request target: the query holds characters a URL query cannot' };
  if (BAD_PATH_ESCAPE.test(path)) return { ok: false, message: 'request target: the path encodes a slash, backslash or control character' };
  const segments = path.split('/').slice(1);
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!.replace(/%2e/gi, '.');
    if (segment === '.' || segment === '..') return { ok: false, message: 'request target: the path has a dot segment' };
    if (segment === '' && i < segments.length - 1) return { ok: false, message: 'request target: the path has an empty segment ("//")' };
  }
  return { ok: true, path, query };
}
