// One lint config for every workspace: type-aware typescript-eslint, prettier owns formatting.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { noLiteralCopySelectors } from './apps/h5/lint/no-literal-copy.js';

const NO_EXPORT_ALL = {
  selector: 'ExportAllDeclaration',
  message: 'Name every export explicitly (no export *).',
};

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/dist-mock/**',
      '**/node_modules/**',
      '**/coverage/**',
      '**/*.config.*',
      '**/public/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', NO_EXPORT_ALL],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only the config module reads process.env.' },
      ],
    },
  },
  {
    // The H5's components and code hold no copy: every word comes from a catalogue (tests and catalogues may).
    files: ['apps/h5/src/**/*.ts', 'apps/h5/src/**/*.tsx'],
    ignores: ['**/*.test.ts', '**/*.test.tsx', 'apps/h5/src/shared/i18n/messages/**'],
    rules: { 'no-restricted-syntax': ['error', NO_EXPORT_ALL, ...noLiteralCopySelectors] },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', '**/test/**', '**/bench/**', 'e2e/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Test harnesses and benchmarks start child processes with an explicit environment.
    files: ['e2e/**', '**/bench/**', 'scripts/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  prettier,
);
