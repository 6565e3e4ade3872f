// The parts of the style guide a machine can check (see STYLE.md in the design notes):
// file size, where the environment is read, promises nobody awaits, and unused code.
// Run by `npm test` (and `npm run lint`); a warning is shown, an error fails the run.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const SOURCES = ['packages/*/src/**/*.{ts,tsx}', 'services/*/src/**/*.{ts,tsx}', 'apps/web/src/**/*.{ts,tsx}'];
const TESTS = ['**/*.test.ts', '**/test/**/*.ts', 'packages/core/src/testing/**/*.ts'];

/** Only core/config (and the CLI's credentials) read the environment; everyone else gets config. */
// `rdv hook` runs inside agents on every event: it reads its three variables itself rather than load the config.
const ENV_READERS = ['packages/core/src/config/**', 'packages/cli/src/credentials.ts', 'packages/cli/src/hook.ts'];

export default tseslint.config(
  {
    // packages/client/src/generated is openapi-typescript's output, checked against the api by its drift test.
    ignores: ['**/node_modules/**', '**/dist/**', '**/.next/**', '**/next-env.d.ts', 'test-output/**', '**/*.js', '**/*.mjs', '**/*.cjs', 'packages/client/src/generated/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      'max-lines': ['warn', { max: 300, skipBlankLines: true, skipComments: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      '@typescript-eslint/no-unused-expressions': 'error',
      'no-unreachable': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
      // A terminal's bytes are control characters: matching them is the point, not a slip.
      'no-control-regex': 'off',
    },
  },
  {
    // Tests poke at parsed JSON freely.
    files: TESTS,
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // A file past 500 lines is two files.
    files: SOURCES,
    ignores: TESTS,
    rules: {
      'max-lines': ['error', { max: 500, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: SOURCES,
    ignores: [...TESTS, ...ENV_READERS],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read settings from the config (core/config); pass environments down explicitly.' }],
    },
  },
  {
    // Type-aware rules need each file's own tsconfig.
    files: SOURCES,
    ignores: TESTS,
    languageOptions: {
      parserOptions: {
        project: [
          './packages/*/tsconfig.json',
          './services/*/tsconfig.json',
          './apps/web/tsconfig.json',
          './apps/web/tsconfig.server.json',
        ],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
);
