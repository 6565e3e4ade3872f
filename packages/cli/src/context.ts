import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { RdvClient } from '@rdv/client';
import { createSocketClient } from '@rdv/client/node';
import { loadConfig, type RdvConfig } from '@rdv/core/config';
import { isAppError } from '@rdv/core/errors';
import type { Folder, Session } from '@rdv/core/schemas';
import { cliCredentials, sessionHome } from './credentials.js';
import { CliError, NotRunningError, UsageError } from './errors.js';
import { lookupFolder, lookupSession } from './lookup.js';
import { createOutput, type Output } from './output.js';

/** What every command gets: output, config and the typed api client, made on first use. */
export interface CliContext {
  readonly out: Output;
  config(): RdvConfig;
  /** The api on api.sock with the CLI token. */
  api(): RdvClient;
  /** A session by name, id or id prefix (not found says where to look). */
  /** A session by name or id, on another host when `host` names one. */
  session(ref: string, host?: string): Promise<Session>;
  /** A folder by id, name or id prefix. */
  folder(ref: string): Promise<Folder>;
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
  let api: RdvClient | undefined;
  const ctx: CliContext = {
    out,
    config() {
      if (!config) config = loadCliConfig(globals.home);
      return config;
    },
    api() {
      if (api) return api;
      const cfg = ctx.config();
      const creds = cliCredentials(cfg);
      if (!creds) {
        if (!existsSync(cfg.paths.apiSocket)) throw new NotRunningError();
        throw new CliError(
          `no CLI token: RDV_TOKEN is not set and ${cfg.paths.cliToken} does not exist; restart rdv (\`rdv down && rdv up\`) to write it`,
        );
      }
      api = createSocketClient({ socketPath: cfg.paths.apiSocket, token: creds.token });
      return api;
    },
    session: (ref, host) => lookupSession(ctx.api(), ref, host),
    folder: (ref) => lookupFolder(ctx.api(), ref),
  };
  return ctx;
}

/**
 * loadConfig with its errors as usage errors (a bad config.toml or RDV_* value is the user's
 * to fix). Inside an rdv session (or a folder hook) without RDV_HOME, the home is that of the
 * rdv that started it.
 */
export function loadCliConfig(home?: string): RdvConfig {
  const where = home ?? sessionHome();
  try {
    return loadConfig(where ? { home: where } : {});
  } catch (err) {
    if (isAppError(err)) throw new UsageError(err.message);
    throw err;
  }
}
