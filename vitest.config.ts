import { defineConfig } from 'vitest/config';

// Where tests live: unit tests next to the code, service and CLI suites in each package's test/.
export const TEST_FILES = ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'services/*/test/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'test/**/*.test.ts'];

// Integration tests use real tmux, git, sockets, child processes or Chromium: they are named
// `x.int.test.ts`, and the browser suites `apps/web/test/browser-*.test.ts`. Everything else is
// a unit test of pure code (temp files and SQLite allowed) and must not need any of those;
// test/test-projects.test.ts checks that.
export const INTEGRATION_PATTERNS = ['**/*.int.test.ts', 'apps/web/test/browser-*.test.ts'];

// Integration suites still named like unit tests. Rename each to `x.int.test.ts` when its
// folder is next reorganised, and drop it from this list.
export const INTEGRATION_FILES = [
  'packages/core/src/session/session.test.ts',
  'packages/core/src/worktree/worktree.test.ts',
  'packages/core/src/orchestrator/detect/proc.test.ts',
  'packages/core/src/lifecycle/drain.test.ts',
  'packages/cli/test/web-url.test.ts',
  'apps/web/test/service-worker.test.ts',
];

// Whole-repository checks that take a minute (lint with type information): pure, but not
// fast, so they run with the integration suites rather than in `npm run test:unit`.
export const SLOW_CHECKS = ['test/lint.test.ts'];

const IGNORED = ['**/node_modules/**', '**/dist/**'];

// Tests run on TypeScript sources: the "source" export condition points @rdv/core/* at src/.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // eventsource-parser (under the MCP SDK's HTTP client) publishes a "source" condition
    // pointing at TypeScript that Node cannot load: let vite transform it.
    server: { deps: { inline: [/@modelcontextprotocol\/sdk/, 'eventsource-parser'] } },
    pool: 'forks',
    maxWorkers: 2,
    env: { TMUX: '', NEXT_TELEMETRY_DISABLED: '1', TURBO_TELEMETRY_DISABLED: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: TEST_FILES,
          exclude: [...IGNORED, ...INTEGRATION_PATTERNS, ...INTEGRATION_FILES, ...SLOW_CHECKS],
          // Fast and first: a broken unit shows before the slow suites start.
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [...INTEGRATION_PATTERNS, ...INTEGRATION_FILES, ...SLOW_CHECKS],
          exclude: IGNORED,
          // Real processes on a 2-core machine share it with everything else: a test that times
          // out once under load gets one more try (vitest reports it as retried), a real failure
          // fails twice.
          retry: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
