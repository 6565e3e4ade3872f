// Test helpers: real tmux, SQLite and temp dirs, each registering its own cleanup.
// Only tests import this (it is not part of the built package).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureOwner } from '../auth/index.js';
import { openDb, type DbHandle } from '../db/index.js';
import { createEventBus } from '../events/index.js';
import { createFolderService } from '../folder/index.js';
import { createSessionService, type SessionServiceDeps } from '../session/index.js';
import { createSilentLogger } from '../log/index.js';
import { createTmux, type Tmux } from '../tmux/index.js';
import { makeFakeAgents } from './fake-agents.js';
import { register, type Scope } from './hooks.js';

export { waitFor, type Scope } from './hooks.js';
export { isHealthy, requireBuilt, spawnNode, startService, waitForHealthy, type ChildExit, type HealthTarget, type SpawnNodeOptions, type TestProcess } from './service.js';

/** A temp dir (short path, so unix sockets fit), removed afterwards. */
export function useTempDir(scope: Scope = 'test', prefix = 'rdv-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  register(scope, () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A tmux wrapper on its own socket (`test-<random>`); the server is killed afterwards. */
export function useTmux(scope: Scope = 'test'): Tmux {
  const tmux = createTmux({ socket: `test-${randomBytes(4).toString('hex')}`, configFile: '/dev/null', historyLimit: 5000 });
  register(scope, () => tmux.killServer());
  return tmux;
}

/**
 * A temp RDV_HOME with a tmux socket of its own (that server killed afterwards, `tmux`
 * drives it) and the environment rdv's processes get in tests: nothing inherited but PATH,
 * plus `options.env`.
 */
export function useRdvEnv(scope: Scope = 'file', options: { prefix?: string; env?: Record<string, string> } = {}) {
  const home = useTempDir(scope, options.prefix ?? 'rdv-');
  const tmux = useTmux(scope);
  const tmuxSocket = tmux.socket;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    RDV_HOME: home,
    RDV_TMUX_SOCKET: tmuxSocket,
    RDV_TMUX_CONFIG_FILE: '/dev/null',
    RDV_SHELL: '/bin/sh',
    RDV_LOG_LEVEL: 'warn',
    ...options.env,
  };
  return { home, tmuxSocket, tmux, env };
}

/** A migrated temp database. */
export function useDb(scope: Scope = 'test'): DbHandle {
  const dir = useTempDir(scope);
  const handle = openDb({ path: join(dir, 'test.db'), migrate: true });
  register(scope, () => handle.dispose());
  return handle;
}

export const testLogger = createSilentLogger;

export interface TestRepo {
  /** The clone (main worktree), on branch main, with one commit pushed to `remote`. */
  path: string;
  /** A bare repository acting as origin. */
  remote: string;
  git(...args: string[]): string;
  commit(file: string, content: string, message?: string): string;
}

/** A real git repository with a bare origin in a temp dir (GIT_CONFIG_GLOBAL=/dev/null). */
export function useRepo(scope: Scope = 'test'): TestRepo {
  const dir = useTempDir(scope, 'rdv-repo-');
  const remote = join(dir, 'origin.git');
  const path = join(dir, 'app');
  const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };
  const run = (cwd: string, args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8' });
  run(dir, ['init', '-q', '--bare', '-b', 'main', remote]);
  run(dir, ['init', '-q', '-b', 'main', path]);
  run(path, ['config', 'user.email', 'dev@example.com']);
  run(path, ['config', 'user.name', 'Dev']);
  run(path, ['remote', 'add', 'origin', remote]);
  const repo: TestRepo = {
    path,
    remote,
    git: (...args) => run(path, args),
    commit(file, content, message = `change ${file}`) {
      writeFileSync(join(path, file), content);
      run(path, ['add', '--', file]);
      run(path, ['commit', '-q', '-m', message]);
      return run(path, ['rev-parse', 'HEAD']).trim();
    },
  };
  repo.commit('README.md', '# app\n', 'initial');
  run(path, ['push', '-q', '-u', 'origin', 'main']);
  run(path, ['remote', 'set-head', 'origin', 'main']);
  return repo;
}

/**
 * The session stack on real resources: a migrated database, its own tmux server, events,
 * folders, sessions (shell /bin/sh, cwd `home`) and the owner user.
 */
export function useSessions(scope: Scope = 'test', options: Partial<SessionServiceDeps> = {}) {
  const { db } = useDb(scope);
  const tmux = useTmux(scope);
  const events = createEventBus(db);
  const folders = createFolderService({ db, events });
  const home = useTempDir(scope);
  const log = testLogger();
  const deps: SessionServiceDeps = {
    db,
    tmux,
    folders,
    events,
    log,
    shell: '/bin/sh',
    defaultCwd: home,
    apiSocket: join(home, 'run', 'api.sock'),
    exitStatusDir: join(home, 'exit-status'),
    output: { sessionsDir: join(home, 'sessions'), home, maxBytes: 1024 * 1024 },
    stopTimeoutMs: 2000,
    ...options,
  };
  const sessions = createSessionService(deps);
  const owner = ensureOwner(db, { email: '', cliTokenPath: join(home, 'cli-token'), log }).owner;
  /** A new session service over the same database, tmux server and home: the api started again. */
  const restart = (changes: Partial<SessionServiceDeps> = {}) => createSessionService({ ...deps, ...changes });
  return { db, tmux, events, folders, sessions, log, home, userId: owner.id, restart };
}

export { startPushEndpoint, usePushEndpoint, type PushEndpoint, type ReceivedPush, type TestPushSubscription } from './push-endpoint.js';
export { createSubscriptionSecrets, decryptWebPush, verifyVapidAuthorization, type SubscriptionSecrets, type VapidClaims } from './web-push-crypto.js';
export { startHttpSink, useHttpSink, type HttpSink, type SinkRequest } from './http-sink.js';
export { promtoolCheckMetrics, metricFamilies } from './promtool.js';
export { FAKE_AGENT_NAMES, FAKE_AGENT_SCRIPT, makeFakeAgents, type FakeAgents } from './fake-agents.js';

/** Fake agent CLIs in a temp dir (see fake-agent.mjs). */
export function useFakeAgents(scope: Scope = 'file') {
  return makeFakeAgents(useTempDir(scope, 'rdv-agents-'));
}
export { useRecordingAgents, type RecordingAgents } from './recording-agents.js';
export { makeSshKey, useSshd, type Sshd, type SshKeyPair } from './sshd.js';
