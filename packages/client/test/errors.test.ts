import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError, ServiceDownError } from '@rdv/core/errors';
import { useTempDir } from '@rdv/core/testing';
import { errorFromResponse } from '../src/index.js';
import { createSocketClient } from '../src/node.js';
import { useSocketServer } from './helpers.js';

describe('errorFromResponse', () => {
  it('keeps the server code and message of an {error:{code,message}} body, parsed or as text', () => {
    const body = { error: { code: 'conflict', message: 'a session named x is already open' } };
    for (const given of [body, JSON.stringify(body)]) {
      const err = errorFromResponse(409, given);
      expect(err).toBeInstanceOf(AppError);
      expect([err.code, err.message]).toEqual(['conflict', 'a session named x is already open']);
    }
  });

  it('reads the code from the status when the body is not rdv error JSON', () => {
    expect([errorFromResponse(404, '').code, errorFromResponse(404, '').message]).toEqual(['not_found', 'request failed (HTTP 404)']);
    expect(errorFromResponse(401, 'HTTP/1.1 401 Unauthorized').message).toBe('HTTP/1.1 401 Unauthorized');
    expect(errorFromResponse(502, '<html><body>Bad gateway</body></html>').message).toBe('request failed (HTTP 502)');
    expect(errorFromResponse(502, '').code).toBe('internal');
    expect(errorFromResponse(429, { error: { code: 'slow_down', message: 'x' } }).code).toBe('rate_limited');
  });
});

describe('the socket client', () => {
  it('turns a non-2xx answer into the server AppError, and passes the bearer token', async () => {
    const seen: string[] = [];
    const { socketPath } = await useSocketServer((req, res) => {
      seen.push(String(req.headers.authorization));
      if (req.url === '/api/sessions/00000000-0000-4000-8000-000000000000') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'not_found', message: 'session gone' } }));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [] }));
      }
    });
    const client = createSocketClient({ socketPath, token: 'rdv_cli_secret' });
    expect(await client.GET('/api/folders')).toEqual({ items: [] });
    const err = await client.GET('/api/sessions/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect([(err as AppError).code, (err as AppError).message]).toEqual(['not_found', 'session gone']);
    expect(seen).toEqual(['Bearer rdv_cli_secret', 'Bearer rdv_cli_secret']);
  });

  it('says rdv is not running when no socket file exists or nothing listens on it', async () => {
    const dir = useTempDir();
    const missing = join(dir, 'missing.sock');
    const stale = join(dir, 'stale.sock');
    // What a crashed service leaves behind: the path exists, nothing accepts on it.
    writeFileSync(stale, '');
    for (const socketPath of [missing, stale]) {
      const err = await createSocketClient({ socketPath, token: 't' })
        .GET('/api/sessions')
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServiceDownError);
      expect((err as AppError).code).toBe('unavailable');
      expect((err as AppError).message).toBe(`rdv is not running (nothing answers on ${socketPath}); start it with "rdv up" or "npm start"`);
    }
  });
});
