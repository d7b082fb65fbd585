#!/usr/bin/env node
// The api's production build: one ESM bundle per entry point under dist/, runnable with plain `node` (no tsx, no
// TypeScript). The workspace packages (@wxh5/contracts, @wxh5/wechat-core) are TypeScript sources, so they are bundled
// in, with every pure-JS dependency. Native or optional modules stay external and load from node_modules at run time:
// better-sqlite3 (a .node addon), pg (its optional pg-native addon is required lazily).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// --outdir: elsewhere than dist/ (it must stay inside apps/api, so the external modules resolve from its node_modules).
const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
const outdir = path.resolve(values.outdir ?? path.join(root, 'dist'));

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: {
    main: 'src/main.ts',
    doctor: 'src/doctor/main.ts',
    'prune-notifications': 'src/prune-notifications.ts',
  },
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  external: ['better-sqlite3', 'pg', 'pg-native'],
  // Bundled CommonJS dependencies call require() for Node built-ins; an ESM bundle has none, so give it one.
  banner: {
    js: "import { createRequire as __wxh5CreateRequire } from 'node:module'; const require = __wxh5CreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
  legalComments: 'none',
});
console.log(`@wxh5/api built into ${path.relative(process.cwd(), outdir) || '.'}`);
