#!/usr/bin/env node
// Bundle budget: the gzip size of the JavaScript a first visit must download before the page runs — the entry
// chunk plus every chunk it imports statically (what index.html loads or modulepreloads), read from Vite's
// manifest. Lazy routes (dynamic imports) are not counted. Fails (exit 1) above the budget.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 90 * 1024;
const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
const manifestPath = path.join(distDir, '.vite/manifest.json');

let manifest;
try {
  manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
} catch (error) {
  console.error(
    `check-bundle-size: cannot read ${manifestPath} (${error.message}); run \`vite build\` first.`,
  );
  process.exit(1);
}

const entries = Object.entries(manifest).filter(([, chunk]) => chunk.isEntry);
if (entries.length === 0) {
  console.error('check-bundle-size: the manifest has no entry chunk.');
  process.exit(1);
}

const initial = new Set();
function visit(key) {
  const chunk = manifest[key];
  if (!chunk || initial.has(chunk.file)) return;
  initial.add(chunk.file);
  for (const imported of chunk.imports ?? []) visit(imported);
}
for (const [key] of entries) visit(key);

let total = 0;
const rows = [];
for (const file of [...initial].filter((f) => f.endsWith('.js'))) {
  const gz = gzipSync(readFileSync(path.join(distDir, file)), { level: 9 }).length;
  total += gz;
  rows.push(`  ${file}  ${(gz / 1024).toFixed(1)} KB gzip`);
}
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(`Initial JS (entry + static imports):\n${rows.join('\n')}`);
console.log(`Total: ${kb(total)} gzip (budget ${kb(BUDGET_BYTES)})`);
if (total > BUDGET_BYTES) {
  console.error(
    `check-bundle-size: FAIL, ${kb(total - BUDGET_BYTES)} over budget. Lazy-load a route or drop a dependency.`,
  );
  process.exit(1);
}
