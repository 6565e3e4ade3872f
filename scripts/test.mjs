#!/usr/bin/env node
// `npm test`: install what is missing, build, run every test with vitest (the unit and the
// integration project, see vitest.config.ts), and end with the plain line "N passed, N failed".
// Extra arguments go to vitest (a file filter, `--project unit`: what `npm run test:unit` runs).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, build, ensureInstalled, step, toolEnv } from './ensure.mjs';

const args = process.argv.slice(2);
const projects = args.flatMap((a, i) => (a === '--project' ? [args[i + 1]] : a.startsWith('--project=') ? [a.slice('--project='.length)] : []));
// Unit tests run on the TypeScript sources; only integration tests run what the build made.
const needsBuild = !(projects.length > 0 && projects.every((p) => p === 'unit'));

try {
  ensureInstalled();
  if (needsBuild) build();
} catch (err) {
  process.stderr.write(`${err.message}\n0 passed, 1 failed\n`);
  process.exit(err.exitCode || 1);
}

const outDir = join(ROOT, 'test-output');
mkdirSync(outDir, { recursive: true });
const report = join(outDir, 'vitest.json');
rmSync(report, { force: true });
step('running tests');
const r = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args],
  { cwd: ROOT, stdio: 'inherit', env: toolEnv({ FORCE_COLOR: process.stdout.isTTY ? '1' : '0' }) },
);

let passed = 0;
let failed = 0;
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests ?? 0;
  failed = json.numFailedTests ?? 0;
  // A file that fails to load has no failed test of its own; count it so it cannot hide.
  const brokenFiles = (json.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).every((a) => a.status !== 'failed'));
  failed += brokenFiles.length;
} else {
  failed = 1;
}
const code = r.status !== 0 || failed > 0 ? r.status || 1 : 0;
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(code);
