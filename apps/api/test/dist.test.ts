/**
 * The production build, run as production runs it: `scripts/build.mjs` bundles the api into dist/, then plain
 * `node dist/main.js` (no tsx, no TypeScript) serves a whole login → order → notify → PAID flow against the emulator.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OrderView, PayWalletResponse } from '@wxh5/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, driveLogin, startEmulator, testEnv, type TestEmulator } from './support';
import { pollUntil } from './pay-kit';

const apiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface RunningDist {
  child: ChildProcess;
  url: string;
  /** Every line the process wrote to stdout so far (pino JSON). */
  lines: string[];
}

async function startDist(env: Record<string, string | undefined>, port: number): Promise<RunningDist> {
  // Only what the process needs: no NODE_OPTIONS or loaders inherited from vitest.
  const child = spawn(process.execPath, [path.join(apiDir, 'dist/main.js')], {
    cwd: apiDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dist/main.js exited ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { child, url, lines };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the production build (node dist/main.js)', () => {
  let emulator: TestEmulator;
  let dist: RunningDist;
  let dataDir: string;

  beforeAll(async () => {
    const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: apiDir, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`build failed: ${built.stdout}${built.stderr}`);
    emulator = await startEmulator();
    dataDir = mkdtempSync(path.join(tmpdir(), 'wxh5-dist-'));
    const port = await freePort();
    dist = await startDist(
      testEnv({
        emulatorUrl: emulator.url,
        publicBaseUrl: `http://127.0.0.1:${port}`,
        databaseUrl: `sqlite:${path.join(dataDir, 'wxh5.sqlite')}`,
        env: { PORT: String(port), LOG_LEVEL: 'info' },
      }),
      port,
    );
  }, 180_000);

  afterAll(async () => {
    if (dist?.child.exitCode === null) {
      dist.child.kill('SIGKILL');
    }
    await emulator?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs in, takes a payment and marks the order PAID from the notify', async () => {
    const browser = createHttpClient(dist.url);
    const login = await driveLogin(browser, emulator, 'alice');
    expect(login.getOpenId.status).toBe(302);

    const created = await browser.post('/api/wechat/pay/payWallet', {
      json: { productId: 'tip', amountFen: 321 },
    });
    expect(created.status).toBe(200);
    const { outTradeNo } = created.json<{ data: PayWalletResponse }>().data;
    await emulator.control('POST', `/__emulator/orders/${outTradeNo}/pay`, {});

    const view = await pollUntil(
      async () =>
        (await browser.get(`/api/wechat/pay/orders/${outTradeNo}`)).json<{ data: OrderView }>().data,
      (order) => order.status === 'PAID',
    );
    expect(view).toMatchObject({ outTradeNo, amountFen: 321, status: 'PAID' });
    expect((await fetch(`${dist.url}/readyz`)).status).toBe(200);
  });

  it('stops cleanly (exit 0) on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => dist.child.once('exit', (code) => resolve(code)));
    dist.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
