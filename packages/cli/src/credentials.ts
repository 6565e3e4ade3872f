// The one place the CLI reads credentials. Besides config (core/config), this is the
// only module that reads process.env, and only RDV_TOKEN, RDV_API_KEY and what rdv puts
// in a session's environment (RDV_SESSION_ID, RDV_API_SOCKET).
import { readFileSync } from 'node:fs';
import type { RdvConfig } from '@rdv/core/config';
import { CliError } from './errors.js';

export interface Credentials {
  token: string;
  /** Where it came from, for messages (never the token itself). */
  source: string;
}

function readTokenFile(path: string): Credentials | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`);
  }
  const token = text.trim();
  return token ? { token, source: path } : null;
}

function fromEnv(env: NodeJS.ProcessEnv, name: 'RDV_TOKEN' | 'RDV_API_KEY'): Credentials | null {
  const value = env[name]?.trim();
  return value ? { token: value, source: name } : null;
}

/** The CLI token: RDV_TOKEN when set, else RDV_HOME/cli-token (written by the api on start). */
export function cliCredentials(config: RdvConfig, env: NodeJS.ProcessEnv = process.env): Credentials | null {
  return fromEnv(env, 'RDV_TOKEN') ?? readTokenFile(config.paths.cliToken);
}

/** What `rdv mcp` authenticates with: RDV_API_KEY when set, else the CLI token file. */
export function mcpCredentials(config: RdvConfig, env: NodeJS.ProcessEnv = process.env): Credentials | null {
  return fromEnv(env, 'RDV_API_KEY') ?? readTokenFile(config.paths.cliToken);
}

/** True when RDV_TOKEN overrides the token file (doctor reports it). */
export const tokenFromEnv = (env: NodeJS.ProcessEnv = process.env): boolean => Boolean(env.RDV_TOKEN?.trim());

/**
 * The RDV_HOME of the rdv that started the session this process runs in, from the
 * RDV_API_SOCKET it put there (always `<home>/run/api.sock`): sessions do not inherit
 * RDV_HOME, and a session's `rdv mcp` must talk to the rdv it runs under.
 */
export function sessionHome(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const socket = env.RDV_API_SOCKET?.trim();
  const m = socket ? /^(\/.*)\/run\/api\.sock$/.exec(socket) : null;
  return m && !env.RDV_HOME ? m[1] : undefined;
}

/** The rdv session this process runs in (rdv puts RDV_SESSION_ID into each), if any: `rdv mcp` inside an agent. */
export const currentSessionId = (env: NodeJS.ProcessEnv = process.env): string | undefined => env.RDV_SESSION_ID?.trim() || undefined;
