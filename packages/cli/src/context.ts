import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { createApiClient, type ApiClient } from '@rdv/core/client';
import { loadConfig, type RdvConfig } from '@rdv/core/config';
import { isAppError } from '@rdv/core/errors';
import { createCliApi, type CliApi } from './api.js';
import { cliCredentials } from './credentials.js';
import { CliError, NotRunningError, UsageError } from './errors.js';
import { createOutput, type Output } from './output.js';

/** What every command gets: output, config and an authenticated api client, made on first use. */
export interface CliContext {
  readonly out: Output;
  config(): RdvConfig;
  client(): ApiClient;
  api(): CliApi;
}

export interface GlobalOptions {
  json?: boolean;
  home?: string;
}

/** The context for one command invocation (no module-level state: each run makes its own). */
export function contextFor(cmd: Command): CliContext {
  const globals = cmd.optsWithGlobals<GlobalOptions>();
  const out = createOutput({ json: Boolean(globals.json) });
  let config: RdvConfig | undefined;
  let client: ApiClient | undefined;
  let api: CliApi | undefined;
  const ctx: CliContext = {
    out,
    config() {
      if (!config) config = loadCliConfig(globals.home);
      return config;
    },
    client() {
      if (client) return client;
      const cfg = ctx.config();
      const creds = cliCredentials(cfg);
      if (!creds) {
        if (!existsSync(cfg.paths.apiSocket)) throw new NotRunningError();
        throw new CliError(
          `no CLI token: RDV_TOKEN is not set and ${cfg.paths.cliToken} does not exist; restart rdv (\`rdv down && rdv up\`) to write it`,
        );
      }
      client = createApiClient({ socketPath: cfg.paths.apiSocket, token: creds.token });
      return client;
    },
    api() {
      if (!api) api = createCliApi(ctx.client());
      return api;
    },
  };
  return ctx;
}

/** loadConfig with its errors as usage errors (a bad config.toml or RDV_* value is the user's to fix). */
export function loadCliConfig(home?: string): RdvConfig {
  try {
    return loadConfig(home ? { home } : {});
  } catch (err) {
    if (isAppError(err)) throw new UsageError(err.message);
    throw err;
  }
}
