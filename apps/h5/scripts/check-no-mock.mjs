#!/usr/bin/env node
// The mock mode (`pnpm dev:mock`, src/mock/) must never ship: a production build has no Mock Service Worker
// script and no chunk holding the mock's code. Fails (exit 1) if dist/ has either.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
// Strings only the mock's code (src/mock/, msw) contains.
const MARKERS = ['mockServiceWorker', 'MOCKPAYSIGN', 'installFakeBridge', 'onUnhandledRequest'];

if (!existsSync(path.join(distDir, 'index.html'))) {
  console.error(`check-no-mock: ${distDir} has no index.html; run \`vite build\` first.`);
  process.exit(1);
}
const problems = [];
if (existsSync(path.join(distDir, 'mockServiceWorker.js'))) problems.push('dist/mockServiceWorker.js exists');
function scan(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) scan(file);
    else if (/\.(js|html)$/.test(entry.name)) {
      const text = readFileSync(file, 'utf8');
      for (const marker of MARKERS) {
        if (text.includes(marker)) problems.push(`${path.relative(distDir, file)} contains "${marker}"`);
      }
    }
  }
}
scan(distDir);
if (problems.length > 0) {
  console.error(`check-no-mock: FAIL, the mock is in the production build:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('No mock code in the production build.');
