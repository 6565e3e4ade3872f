// The examples in config/ are parsed or validated by the tools that read them: the
// cloudflared files by a YAML parser and the shape cloudflared's ingress rules take, the
// Caddyfile by `caddy validate` (Debian's caddy package). The systemd unit has its own
// `systemd-analyze verify` test (packages/core/src/lifecycle/systemd-unit.int.test.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigSchema } from '@rdv/core/config';
import { useTempDir } from '@rdv/core/testing';
import { parseListen } from '../apps/web/src/server/listen.js';

const CONFIG = join(import.meta.dirname, '..', 'config');
const DEFAULT_LISTEN = ConfigSchema.parse({}).web.listen;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface IngressRule {
  hostname?: string;
  path?: string;
  service: string;
  originRequest?: Record<string, unknown>;
}

/** A cloudflared config.yml, checked for what cloudflared requires of it. */
function cloudflared(name: string): { tunnel: string; 'credentials-file': string; ingress: IngressRule[] } {
  const doc = parse(readFileSync(join(CONFIG, name), 'utf8')) as { tunnel: string; 'credentials-file': string; ingress: IngressRule[] };
  expect(doc.tunnel).toMatch(UUID);
  expect(doc['credentials-file']).toMatch(new RegExp(`/${doc.tunnel}\\.json$`));
  expect(Array.isArray(doc.ingress)).toBe(true);
  for (const rule of doc.ingress) {
    expect(Object.keys(rule).every((k) => ['hostname', 'path', 'service', 'originRequest'].includes(k)), JSON.stringify(rule)).toBe(true);
    expect(typeof rule.service).toBe('string');
  }
  // cloudflared refuses a file whose last rule can be skipped: it must match everything.
  const last = doc.ingress.at(-1)!;
  expect(last.hostname).toBeUndefined();
  expect(last.path).toBeUndefined();
  expect(last.service).toBe('http_status:404');
  expect(doc.ingress[0]!.hostname).toBe('rdv.example.com');
  expect(doc.ingress[0]!.originRequest?.httpHostHeader).toBe(doc.ingress[0]!.hostname);
  return doc;
}

describe('config examples', () => {
  it('cloudflared over TCP forwards to the edge where it listens by default', () => {
    const doc = cloudflared('cloudflared-tcp.yml');
    expect(doc.ingress[0]!.service).toBe(`http://${DEFAULT_LISTEN}`);
  });

  it('cloudflared over a unix socket forwards to the socket the edge listens on', () => {
    const doc = cloudflared('cloudflared-unix.yml');
    const service = doc.ingress[0]!.service;
    expect(service).toMatch(/^unix:\//);
    const text = readFileSync(join(CONFIG, 'cloudflared-unix.yml'), 'utf8');
    const listen = /\[web\] listen = "([^"]+)"/.exec(text)![1]!;
    // The listen value the comment gives is a socket the edge accepts, at the path the ingress names.
    const target = parseListen(listen.replace('~/', '/home/you/'), '/home/you/.remote-dev');
    expect(target).toEqual({ kind: 'unix', path: service.slice('unix:'.length) });
  });

  it('the Caddyfile is valid for caddy and says plainly what it does not protect', () => {
    const home = useTempDir();
    const r = spawnSync('caddy', ['validate', '--config', join(CONFIG, 'Caddyfile'), '--adapter', 'caddyfile'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: home, XDG_DATA_HOME: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config') },
    });
    if (r.error) throw r.error;
    expect(`${r.stdout}${r.stderr}`).toContain('Valid configuration');
    expect(r.status).toBe(0);
    const text = readFileSync(join(CONFIG, 'Caddyfile'), 'utf8');
    expect(text).toContain(`reverse_proxy ${DEFAULT_LISTEN}`);
    expect(text).toMatch(/WARNING — what this does NOT protect/);
    expect(text).toMatch(/No identity provider sits in front/);
  });
});
