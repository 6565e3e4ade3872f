import { isIP } from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import { expandHome } from '@rdv/core/config';
import { AppError } from '@rdv/core/errors';

/** Where the edge listens: a TCP host and port, or a unix socket path (for cloudflared). */
export type ListenTarget =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'unix'; path: string };

/**
 * Parses config web.listen: "127.0.0.1:6001", "[::1]:6001", "localhost:6001", a bare port
 * (loopback), or a path to a unix socket ("/…", "./…", "~/…"; relative paths are under `home`).
 * Throws AppError(invalid_input) with the accepted forms.
 */
export function parseListen(value: string, home: string): ListenTarget {
  const v = value.trim();
  if (v.startsWith('/') || v.startsWith('./') || v.startsWith('~/') || v.endsWith('.sock')) {
    const expanded = expandHome(v);
    return { kind: 'unix', path: isAbsolute(expanded) ? expanded : resolve(home, expanded) };
  }
  const bad = () =>
    new AppError(
      'invalid_input',
      `web.listen "${value}" is neither host:port (e.g. 127.0.0.1:6001) nor a unix socket path (e.g. /home/me/.remote-dev/run/web.sock)`,
    );
  let host: string;
  let portText: string;
  if (/^\d+$/.test(v)) {
    host = '127.0.0.1';
    portText = v;
  } else {
    const m = /^\[([^\]]+)\]:(\d+)$/.exec(v) ?? /^([^:[\]]+):(\d+)$/.exec(v);
    if (!m) throw bad();
    host = m[1]!;
    portText = m[2]!;
  }
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw bad();
  if (host !== 'localhost' && !isIP(host) && !/^[A-Za-z0-9.-]+$/.test(host)) throw bad();
  return { kind: 'tcp', host, port };
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  return mapped ? mapped[1]!.startsWith('127.') : false;
}

/** The URL people open for a TCP listen ("http://127.0.0.1:6001"); null for a unix socket. */
export function publicOrigin(target: ListenTarget, actualPort?: number): string | null {
  if (target.kind === 'unix') return null;
  const port = actualPort ?? target.port;
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `http://${host}:${port}`;
}

/** Human form for logs: "127.0.0.1:6001" or the socket path. */
export function describeListen(target: ListenTarget): string {
  return target.kind === 'unix' ? target.path : `${target.host}:${target.port}`;
}

/**
 * True when a Host header names this edge on loopback: a loopback address or "localhost"
 * with exactly `port`. Local mode answers nothing else, so a page on another site whose
 * name was rebound to 127.0.0.1 (DNS rebinding) cannot talk to it.
 */
export function isLocalHostHeader(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(host) ?? /^([^:[\]]+):(\d+)$/.exec(host);
  if (!m || Number(m[2]) !== port) return false;
  return isLoopbackHost(m[1]!.replace(/\.$/, ''));
}

/** https anywhere; plain http only to this machine (a local stand-in for Cloudflare's JWKS). */
export function isSafeCertsUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && isLoopbackHost(url.hostname.replace(/^\[|\]$/g, ''));
}
