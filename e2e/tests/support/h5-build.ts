import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const H5_DIST_DIR = path.join(REPO_ROOT, 'apps/h5/dist');

/** Sources whose change makes the built H5 stale. */
const H5_INPUTS = [
  'apps/h5/src',
  'apps/h5/index.html',
  'apps/h5/vite.config.ts',
  'apps/h5/package.json',
  'packages/contracts/src',
  'packages/wechat-core/src',
];

function newestMtimeMs(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtimeMs(path.join(target, entry)));
  return newest;
}

/** Whether `apps/h5/dist/index.html` is missing or older than one of the H5's inputs. */
export function isH5BuildStale(): boolean {
  const builtIndex = path.join(H5_DIST_DIR, 'index.html');
  if (!existsSync(builtIndex)) return true;
  const builtAt = statSync(builtIndex).mtimeMs;
  return H5_INPUTS.some((input) => newestMtimeMs(path.join(REPO_ROOT, input)) > builtAt);
}

/** Build the H5 (`vite build` through its package script) when its dist is missing or stale. */
export function ensureH5Built(): void {
  if (!isH5BuildStale()) return;
  console.log('[e2e] building apps/h5 (dist missing or stale)…');
  const result = spawnSync('pnpm', ['--filter', '@wxh5/h5', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(
      `Building the H5 failed (exit ${String(result.status)}): run \`pnpm --filter @wxh5/h5 build\``,
    );
  }
}
