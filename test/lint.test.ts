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

/** Lints `text` as if it were the file at `path` in the repository, with the project's config. */
async function lintAs(path: string, text: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const results = await eslint.lintText(text, { filePath: join(ROOT, path) });
  return results.flatMap((r) => r.messages.map((m) => `${m.ruleId}`));
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
  it('catches a floating promise in a source file', { timeout: 60_000 }, async () => {
    const text = 'export async function f(): Promise<void> {}\nexport function g(): void {\n  f();\n}\n';
    expect(await lintAs('packages/core/src/log/index.ts', text)).toContain('@typescript-eslint/no-floating-promises');
  });

  it('catches process.env outside core/config, and allows it there', { timeout: 60_000 }, async () => {
    const text = 'export const home = process.env.HOME;\n';
    expect(await lintAs('services/api/src/main.ts', text)).toContain('no-restricted-properties');
    expect(await lintAs('packages/core/src/config/index.ts', text)).not.toContain('no-restricted-properties');
  });

  it('catches unused code and oversized files', { timeout: 60_000 }, async () => {
    expect(await lintAs('packages/core/src/log/index.ts', 'const unused = 1;\nexport const x = 2;\n')).toContain(
      '@typescript-eslint/no-unused-vars',
    );
    const big = Array.from({ length: 520 }, (_, i) => `export const v${i} = ${i};`).join('\n');
    expect(await lintAs('packages/core/src/log/index.ts', `${big}\n`)).toContain('max-lines');
  });
});
