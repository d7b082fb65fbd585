#!/usr/bin/env node
// Precompress the built H5 once at build time, so the api serves the files WeChat's browser downloads as brotli (or
// gzip) without compressing per request: `x.js` gets `x.js.br` and `x.js.gz` beside it. Text files only, and only
// when the compressed copy is smaller; the api picks the copy from Accept-Encoding (koa-send) and adds Vary.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.txt', '.webmanifest']);
// Below this, the headers outweigh what compression saves.
const MIN_BYTES = 512;

function* filesUnder(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    // .vite/ holds the manifest, which is not served.
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(full);
    else if (COMPRESSIBLE.has(path.extname(entry.name))) yield full;
  }
}

let original = 0;
let brotli = 0;
let count = 0;
for (const file of filesUnder(distDir)) {
  if (statSync(file).size < MIN_BYTES) continue;
  const content = readFileSync(file);
  const br = brotliCompressSync(content, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
    },
  });
  const gz = gzipSync(content, { level: constants.Z_BEST_COMPRESSION });
  if (br.length < content.length) writeFileSync(`${file}.br`, br);
  if (gz.length < content.length) writeFileSync(`${file}.gz`, gz);
  original += content.length;
  brotli += Math.min(br.length, content.length);
  count += 1;
}
console.log(
  `precompress: ${count} files, ${(original / 1024).toFixed(1)} KB → ${(brotli / 1024).toFixed(1)} KB brotli`,
);
