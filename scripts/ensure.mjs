// Shared by `npm start` and `npm test`: install dependencies when missing or stale, and build.
// Only Node built-ins here: this runs before anything is installed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = join(ROOT, 'node_modules', '.rdv-install-stamp');
const MANIFESTS = [
  'package.json',
  'package-lock.json',
  'packages/core/package.json',
  'packages/client/package.json',
  'packages/cli/package.json',
  'services/api/package.json',
  'services/terminal/package.json',
  'apps/web/package.json',
];

export function toolEnv(extra = {}) {
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', TURBO_TELEMETRY_DISABLED: '1', ...extra };
  delete env.TMUX;
  return env;
}

/** For npm install/ci/rebuild: native modules (better-sqlite3, node-pty) compile against the system's Node headers. */
function installEnv() {
  const env = toolEnv();
  if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';
  return env;
}

function manifestHash() {
  const h = createHash('sha256');
  h.update(process.version);
  for (const m of MANIFESTS) {
    const p = join(ROOT, m);
    if (existsSync(p)) h.update(m).update(readFileSync(p));
  }
  return h.digest('hex');
}

export function step(message) {
  process.stdout.write(`\x1b[1m==>\x1b[0m ${message}\n`);
}

export function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: toolEnv(), ...options });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    const err = new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    err.exitCode = r.status ?? 1;
    throw err;
  }
}

function nativeModulesLoad() {
  const probe = "require('better-sqlite3'); require('node-pty');";
  const r = spawnSync(process.execPath, ['-e', probe], { cwd: join(ROOT, 'services/terminal'), stdio: 'ignore' });
  return r.status === 0;
}

/** Installs dependencies when node_modules is missing or older than the manifests. */
export function ensureInstalled() {
  const want = manifestHash();
  const have = existsSync(STAMP) ? readFileSync(STAMP, 'utf8').trim() : '';
  if (have !== want || !existsSync(join(ROOT, 'node_modules'))) {
    const ci = existsSync(join(ROOT, 'package-lock.json'));
    step(`installing dependencies (npm ${ci ? 'ci' : 'install'}; native modules compile, this takes a few minutes the first time)`);
    run('npm', [ci ? 'ci' : 'install', '--no-audit', '--no-fund'], { env: installEnv() });
    writeFileSync(STAMP, `${manifestHash()}\n`);
  }
  if (!nativeModulesLoad()) {
    step('rebuilding native modules for this Node version');
    run('npm', ['rebuild', 'better-sqlite3', 'node-pty'], { env: installEnv() });
  }
}

/** Builds every workspace (turbo caches what has not changed). */
export function build() {
  step('building');
  run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);
}
