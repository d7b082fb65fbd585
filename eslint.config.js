// One lint config for every workspace: type-aware typescript-eslint, prettier owns formatting.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { noLiteralCopySelectors } from './apps/h5/lint/no-literal-copy.js';

/**
 * The api's layers (apps/api/README.md, "Layers"), top to bottom; an import may go down, never up:
 *
 *   app.ts, main.ts, create-deps.ts   composition root: builds everything (doctor/: a second entry point)
 *   routes/                           Koa routers: thin handlers
 *   http/                             middleware, the envelope and its errors (beside routes, for routes)
 *   pay/, users/                      services: domain terms only
 *   wechat/, store/                   WeChat clients and gateways; the database
 *   shared/, metrics/                 small building blocks (and config.ts, deps.ts, logger.ts: read by all)
 *
 * Besides: http/ never reaches for wechat/ (a WeChat failure reaches it as a shared/wechat-error type), and a
 * WeChat client never throws an envelope error (shared/api-error.ts): it throws a WeChat error, the services or
 * handleErrors decide what the client sees.
 */
const API_SRC = 'apps/api/src';
const COMPOSITION_ROOT = ['./app.ts', './main.ts', './create-deps.ts', './doctor'];
const layer = (target, from, why) => ({ target, from, message: why });
export const API_LAYER_ZONES = [
  layer(
    ['./routes', './http', './pay', './users', './wechat', './store', './shared', './metrics'],
    COMPOSITION_ROOT,
    'Only the composition root imports the composition root.',
  ),
  layer(
    ['./http', './pay', './users', './wechat', './store', './shared', './metrics'],
    './routes',
    'Layers: nothing below routes/ imports a route.',
  ),
  layer(
    ['./pay', './users', './wechat', './store', './shared', './metrics'],
    './http',
    "Layers: http/ is the routes' helper; services and below do not know HTTP.",
  ),
  layer(
    ['./http', './wechat', './store', './shared', './metrics'],
    ['./pay', './users'],
    'Layers: services are imported by routes (and the composition root) only.',
  ),
  layer(
    ['./http', './store', './shared', './metrics'],
    './wechat',
    'Layers: http/ does not import wechat/; store/ and shared/ sit below it.',
  ),
  layer(
    ['./http', './wechat', './shared', './metrics'],
    './store',
    'Layers: the database is reached through the services (or routes), not from http/, wechat/ or shared/.',
  ),
  layer(['./shared', './store'], './metrics', 'Layers: metrics/ sits beside shared/, above store/.'),
  layer(
    './wechat',
    './shared/api-error.ts',
    'A WeChat client throws WeChat errors (shared/wechat-error.ts), never envelope errors.',
  ),
];

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
    // Layers of the api, enforced (see API_LAYER_ZONES above; test/lint-layers.test.ts shows an upward import fail).
    files: [`${API_SRC}/**/*.ts`],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })] },
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        { basePath: `${import.meta.dirname}/${API_SRC}`, zones: API_LAYER_ZONES },
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
