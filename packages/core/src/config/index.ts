import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { AppError } from '../errors/index.js';
import { ConfigSchema, ENV_ALIASES, type ConfigFile } from './schema.js';

export { ConfigSchema, type ConfigFile } from './schema.js';
export { parentEnv, sanitizedEnv } from './env.js';

/** Where rdv keeps its state, derived from RDV_HOME. */
export interface RdvPaths {
  home: string;
  configFile: string;
  db: string;
  runDir: string;
  serverDir: string;
  /** Exit statuses of ended sessions, briefly (see core/session exit-status). */
  exitStatusDir: string;
  /** One private folder per session for what rdv hands its agent (hook settings). */
  sessionRunDir: string;
  /** One folder per session: its output log (see core/output). */
  sessionsDir: string;
  apiSocket: string;
  terminalSocket: string;
  webSocket: string;
  /** Where the running web edge listens (`{url}` or `{socket}`), written by the edge itself. */
  webListenFile: string;
  serviceToken: string;
  cliToken: string;
  pidFile: (service: string) => string;
  logFile: (service: string) => string;
}

export interface RdvConfig extends ConfigFile {
  paths: RdvPaths;
  /** Where each overridden key came from, for messages: "RDV_TMUX_SOCKET", "--tmux.socket", "config.toml". */
  sources: Record<string, string>;
}

export interface LoadConfigOptions {
  /** Environment to read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Overrides by dotted key, e.g. `{ 'tmux.socket': 'x' }` — what CLI flags map to. */
  flags?: Record<string, unknown>;
  /** RDV_HOME override (the --home flag). */
  home?: string;
}

export function expandHome(p: string, env: NodeJS.ProcessEnv = process.env): string {
  const home = env.HOME || homedir();
  if (p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  return p;
}

export function resolvePaths(home: string, dbPath = ''): RdvPaths {
  const runDir = join(home, 'run');
  const serverDir = join(home, 'server');
  return {
    home,
    configFile: join(home, 'config.toml'),
    db: dbPath ? resolve(home, dbPath) : join(home, 'sqlite.db'),
    runDir,
    serverDir,
    exitStatusDir: join(serverDir, 'exit-status'),
    sessionRunDir: join(runDir, 'sessions'),
    sessionsDir: join(home, 'sessions'),
    apiSocket: join(runDir, 'api.sock'),
    terminalSocket: join(runDir, 'terminal.sock'),
    webSocket: join(runDir, 'web.sock'),
    webListenFile: join(runDir, 'web.json'),
    serviceToken: join(serverDir, 'service-token'),
    cliToken: join(home, 'cli-token'),
    pidFile: (service) => join(serverDir, `${service}.pid`),
    logFile: (service) => join(serverDir, `${service}.log`),
  };
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

/** Every dotted key the schema knows, e.g. ["owner_email", "log.level", ...]. */
export function configKeys(): string[] {
  const keys: string[] = [];
  for (const [key, field] of Object.entries(ConfigSchema.shape)) {
    const inner = (field as { def?: { innerType?: { shape?: Record<string, unknown> } } }).def?.innerType?.shape;
    if (inner) for (const sub of Object.keys(inner)) keys.push(`${key}.${sub}`);
    else keys.push(key);
  }
  return keys;
}

export function envNameFor(key: string): string {
  return `RDV_${key.replace(/\./g, '_').toUpperCase()}`;
}

/**
 * Loads config: defaults ← RDV_HOME/config.toml ← RDV_* environment ← flags.
 * Throws AppError(invalid_input) naming the key and where its bad value came from.
 */
export function loadConfig(options: LoadConfigOptions = {}): RdvConfig {
  const env = options.env ?? process.env;
  const rawHome = options.home ?? env.RDV_HOME ?? '~/.remote-dev';
  const home = resolve(expandHome(rawHome, env));
  const configFile = join(home, 'config.toml');
  const sources: Record<string, string> = {};
  let raw: Record<string, unknown> = {};
  let text: string | undefined;
  try {
    text = readFileSync(configFile, 'utf8');
  } catch (err) {
    // A missing config file means "all defaults"; any other read error is the user's to fix.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new AppError('invalid_input', `Cannot read ${configFile}: ${(err as Error).message}`);
    }
  }
  if (text !== undefined) {
    try {
      raw = parseToml(text) as Record<string, unknown>;
    } catch (err) {
      throw new AppError('invalid_input', `${configFile} is not valid TOML: ${(err as Error).message}`);
    }
    for (const key of configKeys()) sources[key] = 'config.toml';
  }
  const envMap = new Map<string, string>();
  for (const key of configKeys()) envMap.set(envNameFor(key), key);
  for (const [alias, key] of Object.entries(ENV_ALIASES)) envMap.set(alias, key);
  for (const [name, key] of envMap) {
    const value = env[name];
    if (value === undefined) continue;
    setPath(raw, key, value);
    sources[key] = name;
  }
  for (const [key, value] of Object.entries(options.flags ?? {})) {
    if (value === undefined) continue;
    setPath(raw, key, value);
    sources[key] = `--${key}`;
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const messages = parsed.error.issues.slice(0, 5).map((issue) => {
      const key = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') {
        const where = key ? `${key}.` : '';
        return `unknown setting ${issue.keys.map((k) => where + k).join(', ')} (in ${configFile})`;
      }
      const from = sources[key] ?? 'config.toml';
      return `${key} (from ${from}): ${issue.message}`;
    });
    throw new AppError('invalid_input', `Invalid configuration: ${messages.join('; ')}`);
  }
  const config = parsed.data;
  const dbPath = config.database.path ? expandHome(config.database.path, env) : '';
  const paths = resolvePaths(home, dbPath && !isAbsolute(dbPath) ? resolve(home, dbPath) : dbPath);
  return { ...config, paths, sources };
}

/**
 * Reads the flags every service and the CLI accept for configuration:
 * `--home <dir>` and `--set section.key=value` (repeatable). Anything else is left alone.
 */
export function parseConfigFlags(argv: string[]): Pick<LoadConfigOptions, 'home' | 'flags'> {
  const flags: Record<string, unknown> = {};
  let home: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = () => {
      const value = argv[++i];
      if (value === undefined) throw new AppError('invalid_input', `${arg} needs a value`);
      return value;
    };
    if (arg === '--home') home = next();
    else if (arg.startsWith('--home=')) home = arg.slice('--home='.length);
    else if (arg === '--set' || arg.startsWith('--set=')) {
      const pair = arg === '--set' ? next() : arg.slice('--set='.length);
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new AppError('invalid_input', `--set expects section.key=value, got ${JSON.stringify(pair)}`);
      const key = pair.slice(0, eq);
      if (!configKeys().includes(key)) throw new AppError('invalid_input', `--set: unknown setting ${key}`);
      flags[key] = pair.slice(eq + 1);
    }
  }
  return { home, flags };
}
