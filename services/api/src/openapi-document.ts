import { randomBytes } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@rdv/core/config';
import { createShutdown, socketRequest } from '@rdv/core/lifecycle';
import { createSilentLogger } from '@rdv/core/log';
import { createTmux } from '@rdv/core/tmux';
import { startApi } from './server.js';

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
    const res = await socketRequest<Record<string, unknown>>(api.socketPath, '/api/openapi.json');
    if (res.status !== 200) throw new Error(`GET /api/openapi.json answered ${res.status}`);
    return res.body;
  } finally {
    await shutdown.shutdown('document rendered');
    await createTmux({ socket: tmuxSocket }).killServer();
    rmSync(home, { recursive: true, force: true });
  }
}
