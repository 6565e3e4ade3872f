import { randomBytes } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@rdv/core/config';
import { createShutdown } from '@rdv/core/lifecycle';
import { createSilentLogger } from '@rdv/core/log';
import { createTmux } from '@rdv/core/tmux';
import { startApi } from './server.js';

function getJson(socketPath: string, path: string): Promise<unknown> {
  return new Promise((resolveGet, reject) => {
    const req = request({ socketPath, path, headers: { host: 'rdv' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${path} answered ${res.statusCode}`));
        else resolveGet(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The OpenAPI document exactly as the api serves it: the real api (every route of every
 * feature) booted in this process on a throwaway RDV_HOME and tmux socket, asked for
 * `/api/openapi.json`, then stopped and its files removed. `@rdv/client` generates its
 * types from this; no running rdv is needed.
 */
export async function renderOpenApiDocument(): Promise<Record<string, unknown>> {
  const home = realpathSync(mkdtempSync(join(tmpdir(), 'rdv-openapi-')));
  const tmuxSocket = `openapi-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    env: { HOME: home, RDV_HOME: home, RDV_TMUX_SOCKET: tmuxSocket, RDV_TMUX_CONFIG_FILE: '/dev/null', RDV_LOG_LEVEL: 'silent' },
  });
  const log = createSilentLogger();
  const shutdown = createShutdown(log, 5000);
  try {
    const api = await startApi(config, log, shutdown);
    return (await getJson(api.socketPath, '/api/openapi.json')) as Record<string, unknown>;
  } finally {
    await shutdown.shutdown('document rendered');
    await createTmux({ socket: tmuxSocket }).killServer();
    rmSync(home, { recursive: true, force: true });
  }
}
