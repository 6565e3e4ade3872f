// Shared by `npm start` and `npm test`: install dependencies when missing or stale, and build.
// Only Node built-ins here: this runs before anything is installed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

const NATIVE_STAMP = join(ROOT, 'node_modules', '.rdv-native-stamp');
const NATIVE_FILES = ['node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'node_modules/node-pty/build/Release/pty.node'];
/** This Node and the native modules' builds: unchanged since they last loaded, they load. */
const nativeFingerprint = () => [process.version, ...NATIVE_FILES.map((f) => (existsSync(join(ROOT, f)) ? statSync(join(ROOT, f)).mtimeMs : 'missing'))].join(' ');

function nativeModulesLoad() {
  if (existsSync(NATIVE_STAMP) && readFileSync(NATIVE_STAMP, 'utf8').trim() === nativeFingerprint()) return true;
  const probe = "require('better-sqlite3'); require('node-pty');";
  const r = spawnSync(process.execPath, ['-e', probe], { cwd: join(ROOT, 'services/terminal'), stdio: 'ignore' });
  if (r.status === 0) writeFileSync(NATIVE_STAMP, `${nativeFingerprint()}\n`);
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

const BUILD_STAMP = join(ROOT, 'node_modules', '.rdv-build-stamp');
const WORKSPACES = MANIFESTS.filter((m) => m !== 'package.json' && m !== 'package-lock.json').map((m) => dirname(m));
/** turbo.json's build inputs of each workspace, and the root files every build reads. */
const BUILD_INPUTS = /^(src|drizzle|bin|scripts)$|^package\.json$|^tsconfig.*\.json$|^next\.config\./;
const BUILD_OUTPUTS = ['packages/core/dist', 'packages/client/dist', 'packages/cli/dist/main.js', 'services/api/dist/main.js', 'services/terminal/dist/main.js', 'apps/web/dist/server.js', 'apps/web/.next/BUILD_ID'];

/** The newest modification time and the number of the build's input files (turbo's own hashing takes seconds here). */
function buildFingerprint() {
  let newest = 0;
  let count = 0;
  const visit = (path) => {
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const name of readdirSync(path)) if (name !== 'node_modules') visit(join(path, name));
    } else {
      newest = Math.max(newest, st.mtimeMs);
      count++;
    }
  };
  for (const f of ['package-lock.json', 'turbo.json', 'tsconfig.base.json']) if (existsSync(join(ROOT, f))) visit(join(ROOT, f));
  for (const ws of WORKSPACES) {
    for (const name of readdirSync(join(ROOT, ws))) if (BUILD_INPUTS.test(name)) visit(join(ROOT, ws, name));
  }
  return `${process.version} ${newest} ${count}`;
}

/**
 * Builds every workspace (turbo caches what has not changed). Skipped outright when no
 * build input changed since the last build made here and its outputs are all there.
 */
export function build() {
  const stamp = existsSync(BUILD_STAMP) ? readFileSync(BUILD_STAMP, 'utf8').trim() : '';
  if (stamp && stamp === buildFingerprint() && BUILD_OUTPUTS.every((o) => existsSync(join(ROOT, o)))) {
    step('build is up to date');
    return;
  }
  step('building');
  run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);
  // Taken after the build: a build that regenerates sources (the client's types) leaves them as they will stay.
  writeFileSync(BUILD_STAMP, `${buildFingerprint()}\n`);
}
