import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * Structure rules, besides the usual TypeScript ones:
 * - no import cycles (`import-x/no-cycle`, resolving the `@millrace/*` aliases of
 *   tsconfig.json, the one source of truth for them);
 * - another lib or connector is reached only through its public index: `@millrace/<name>`
 *   (plus `@millrace/<name>/testing`, a lib's public index of test doubles). A deep alias
 *   (`@millrace/storage/async-mutex`) or a relative path into `libs/` or `connectors/`
 *   fails the lint.
 */
export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@millrace/*/**', '!@millrace/*/testing'],
              message: "Import another lib through its public index ('@millrace/<lib>'), not a file inside it.",
            },
            {
              group: ['**/libs/**', '**/connectors/**'],
              message: "Reach libs and connectors through their '@millrace/<name>' alias, not a relative path.",
            },
          ],
        },
      ],
    },
  },
);
