import type { ServerResponse } from 'node:http';
import type { ErrorCode } from '@rdv/core/errors';

/** Headers every edge response carries: no framing, no sniffing, no referrer (login codes live in URLs). */
export const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
};

/** Writes `{error:{code,message}}` with the status, unless headers are already out. */
export function sendJsonError(res: ServerResponse, status: number, code: ErrorCode, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * A small self-contained page for states where the app cannot load (not signed in,
 * bad token, api down). Inline styles only: it must render without any other request.
 */
export function sendPage(res: ServerResponse, status: number, title: string, paragraphs: string[], extraHeaders: Record<string, string> = {}): void {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · rdv</title><meta name="color-scheme" content="light dark"><style>
:root{color-scheme:light dark;--bg:#f6f7f9;--fg:#1d2329;--muted:#5c6670;--card:#fff;--line:#e2e5e9;--accent:#2f6f62}
@media (prefers-color-scheme:dark){:root{--bg:#15181c;--fg:#e3e6ea;--muted:#98a1ab;--card:#1c2026;--line:#2b3038;--accent:#7cc4b2}}
body{margin:0;min-height:100vh;display:grid;place-items:center;background:var(--bg);color:var(--fg);font:15px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:30rem;margin:1.5rem;padding:2rem 2.25rem;background:var(--card);border:1px solid var(--line);border-radius:14px}
h1{font-size:1.15rem;margin:0 0 .75rem;font-weight:600}p{margin:.5rem 0;color:var(--muted)}code{font:13px ui-monospace,Menlo,monospace;background:var(--bg);padding:.1rem .35rem;border-radius:5px;color:var(--fg)}
.mark{display:inline-block;width:.6rem;height:.6rem;border-radius:50%;background:var(--accent);margin-right:.5rem}
</style></head><body><main><h1><span class="mark"></span>${escapeHtml(title)}</h1>${paragraphs
    .map((p) => `<p>${escapeHtml(p).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`)
    .join('')}</main></body></html>`;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...extraHeaders,
  });
  res.end(body);
}
