import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..');

function describeProblems(results: ESLint.LintResult[], severity: 1 | 2): string[] {
  return results.flatMap((r) =>
    r.messages
      .filter((m) => m.severity === severity)
      .map((m) => `${r.filePath.slice(ROOT.length + 1)}:${m.line} ${m.ruleId ?? 'parse'}: ${m.message}`),
  );
}

const BIG = Array.from({ length: 520 }, (_, i) => `export const v${i} = ${i};`).join('\n');

/** What the guide forbids, each as a file where the rule applies (and one where it does not). */
const PROBES = {
  floating: ['packages/core/src/log/lint-probe-floating.ts', 'export async function f(): Promise<void> {}\nexport function g(): void {\n  f();\n}\n'],
  envOutside: ['services/api/src/lint-probe-env.ts', 'export const home = process.env.HOME;\n'],
  envInConfig: ['packages/core/src/config/lint-probe-env.ts', 'export const home = process.env.HOME;\n'],
  unused: ['packages/core/src/log/lint-probe-unused.ts', 'const unused = 1;\nexport const x = 2;\n'],
  big: ['packages/core/src/log/lint-probe-big.ts', `${BIG}\n`],
} as const;

/**
 * Lints the probes as real files in the repository, with the project's config, in an eslint
 * process of its own: typescript-eslint builds its programs from the files on disk (text given
 * for a path that exists is not what it type-checks), and caches them per process.
 */
async function lintProbes(): Promise<Record<keyof typeof PROBES, string[]>> {
  const entries = Object.entries(PROBES) as [keyof typeof PROBES, readonly [string, string]][];
  for (const [, [path, text]] of entries) writeFileSync(join(ROOT, path), text, { flag: 'wx' });
  try {
    const eslintBin = join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');
    const args = [eslintBin, '--format', 'json', ...entries.map(([, [path]]) => path)];
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        // eslint exits 1 when it found problems, 2 when it could not run.
        if (err && (err as { code?: number }).code !== 1) reject(new Error(`eslint failed: ${stderr || err.message}`));
        else resolve(stdout);
      });
    });
    const byPath = new Map((JSON.parse(out) as ESLint.LintResult[]).map((r) => [r.filePath, r.messages.map((m) => `${m.ruleId}`)]));
    return Object.fromEntries(entries.map(([name, [path]]) => [name, byPath.get(join(ROOT, path)) ?? []])) as Record<keyof typeof PROBES, string[]>;
  } finally {
    for (const [, [path]] of entries) rmSync(join(ROOT, path), { force: true });
  }
}

describe('lint', () => {
  it('the repository has no lint errors', { timeout: 240_000 }, async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const results = await eslint.lintFiles(['.']);
    const warnings = describeProblems(results, 1);
    if (warnings.length > 0) process.stdout.write(`lint warnings:\n  ${warnings.join('\n  ')}\n`);
    expect(describeProblems(results, 2)).toEqual([]);
  });

  // The gate is only worth something if it still catches what the guide forbids.
  it('catches a floating promise, process.env outside core/config, unused code and oversized files', { timeout: 240_000 }, async () => {
    const found = await lintProbes();
    expect(found.floating).toContain('@typescript-eslint/no-floating-promises');
    expect(found.envOutside).toContain('no-restricted-properties');
    expect(found.envInConfig).not.toContain('no-restricted-properties');
    expect(found.envInConfig).toEqual([]);
    expect(found.unused).toContain('@typescript-eslint/no-unused-vars');
    expect(found.big).toContain('max-lines');
  });
});
