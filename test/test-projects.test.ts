// The unit project stays fast and hermetic: a test that reaches for tmux, git, sockets, child
// processes or Chromium belongs to the integration project, and this fails when one is filed
// as a unit test (a new file, or one moved away from its entry in INTEGRATION_FILES).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { INTEGRATION_FILES, INTEGRATION_PATTERNS, SLOW_CHECKS, TEST_FILES } from '../vitest.config.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// Enough of glob syntax for the patterns in vitest.config.ts: `**/`, `*` and literals.
function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('**/')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
    .join('(?:.*/)?');
  return new RegExp(`^${body}$`);
}

function* testFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === '.next' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* testFiles(path);
    else if (name.endsWith('.test.ts')) yield relative(ROOT, path);
  }
}

const inProject = TEST_FILES.map(globToRegExp);
const integration = [...INTEGRATION_PATTERNS, ...INTEGRATION_FILES, ...SLOW_CHECKS].map(globToRegExp);
const unitFiles = () => [...testFiles(ROOT)].filter((f) => inProject.some((r) => r.test(f)) && !integration.some((r) => r.test(f)));

// What makes a test an integration test: the modules that reach processes, sockets and the
// browser, and the helpers that start tmux, git, services or Chromium.
const MARKERS = [
  /from '(node:child_process|node:net|node:http|node:https|ws|node-pty|playwright-core)'/,
  /\b(useTmux|useRdvEnv|useRepo|useSessions|spawnNode|startService|useApi|useRig|useStack|useRdvHome|useBrowser|useTestAccess)\(/,
];

describe('test projects', () => {
  it('classifies the patterns the way vitest.config.ts means them', () => {
    expect(integration.some((r) => r.test('packages/core/src/pty/pty.int.test.ts'))).toBe(true);
    expect(integration.some((r) => r.test('apps/web/test/browser-local.test.ts'))).toBe(true);
    expect(integration.some((r) => r.test('apps/web/test/ui-units.test.ts'))).toBe(false);
    expect(inProject.some((r) => r.test('services/api/test/x.test.ts'))).toBe(true);
  });

  it('every integration file listed by name still exists', () => {
    expect([...INTEGRATION_FILES, ...SLOW_CHECKS].filter((f) => !existsSync(join(ROOT, f)))).toEqual([]);
  });

  it('no unit test uses tmux, git, sockets, child processes or Chromium', () => {
    const files = unitFiles();
    expect(files.length).toBeGreaterThan(5);
    const offenders = files.filter((f) => {
      const text = readFileSync(join(ROOT, f), 'utf8');
      return MARKERS.some((m) => m.test(text));
    });
    expect(offenders).toEqual([]);
  });
});
