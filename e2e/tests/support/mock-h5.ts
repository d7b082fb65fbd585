import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './h5-build';
import { freePort } from './stack';

const H5_DIR = path.join(REPO_ROOT, 'apps/h5');
const VITE = path.join(H5_DIR, 'node_modules/vite/bin/vite.js');

export interface MockH5 {
  /** Where the browser opens the H5 in mock mode (no api anywhere). */
  url: string;
  stop(): Promise<void>;
}

/**
 * The H5 in mock mode with no backend: `vite build --mode mock` (to apps/h5/dist-mock) and `vite preview --mode
 * mock` on a free port. Mock Service Worker answers /api in the page; nothing else runs.
 */
export async function startMockH5(): Promise<MockH5> {
  const build = spawnSync(process.execPath, [VITE, 'build', '--mode', 'mock', '--logLevel', 'warn'], {
    cwd: H5_DIR,
    encoding: 'utf8',
  });
  if (build.status !== 0) {
    throw new Error(`vite build --mode mock failed (exit ${String(build.status)}):\n${build.stderr}`);
  }
  const port = await freePort();
  const preview = spawn(
    process.execPath,
    [VITE, 'preview', '--mode', 'mock', '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    { cwd: H5_DIR, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let output = '';
  preview.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  preview.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (preview.exitCode === null && preview.signalCode === null && preview.pid !== undefined) {
      const exited = new Promise<void>((resolve) => preview.once('exit', () => resolve()));
      process.kill(-preview.pid, 'SIGTERM');
      await exited;
    }
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (preview.exitCode !== null) throw new Error(`vite preview exited early:\n${output}`);
    try {
      if ((await fetch(`${url}/mockServiceWorker.js`)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`vite preview did not answer ${url} within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
