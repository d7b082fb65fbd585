#!/usr/bin/env node
// Run turbo so that it always finds pnpm. Turbo spawns every task through a `pnpm` binary it looks up on PATH and
// stops with "Unable to find package manager binary" when there is none — which is the case whenever pnpm itself
// was started by path (`node …/pnpm.cjs`, `npx pnpm`, a corepack shim outside PATH, a CI image's tool cache). pnpm
// tells its scripts where it runs from (`npm_execpath`); when PATH has no pnpm, a one-line shim calling that same
// pnpm goes first on PATH for turbo and its tasks.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env };

function onPath(name) {
  return (env.PATH ?? '').split(path.delimiter).some((dir) => {
    // A relative entry (pnpm exec adds ./node_modules/.bin) means another file in each task's directory.
    if (!path.isAbsolute(dir)) return false;
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const pnpmCli = env.npm_execpath;
if (!onPath('pnpm') && pnpmCli && /pnpm/.test(path.basename(pnpmCli))) {
  const shimDir = path.join(ROOT, 'node_modules/.cache/wxh5-pnpm-shim');
  mkdirSync(shimDir, { recursive: true });
  const run = /\.c?js$/.test(pnpmCli) ? `"${process.execPath}" "${pnpmCli}"` : `"${pnpmCli}"`;
  writeFileSync(path.join(shimDir, 'pnpm'), `#!/bin/sh\nexec ${run} "$@"\n`, { mode: 0o755 });
  env.PATH = `${shimDir}${path.delimiter}${env.PATH ?? ''}`;
}

const turbo = createRequire(path.join(ROOT, 'package.json')).resolve('turbo/bin/turbo');
const child = spawn(process.execPath, [turbo, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env,
  cwd: ROOT,
});
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
