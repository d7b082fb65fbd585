/**
 * The api's benchmark runner (`pnpm bench` → `pnpm --filter @wxh5/api bench` → this file).
 *
 *   pnpm --filter @wxh5/api bench [--seconds 10] [--connections 50] [--only jssdk]
 *
 * Each scenario starts what it needs on 127.0.0.1, port 0, in this process (the emulator, the real app on an
 * embedded SQLite file, and a bare Koa hello-world started the same way), then drives both with autocannon for the
 * same time and connection count and reports req/s, the ratio to bare Koa and p99 latency. autocannon runs in this
 * process too, so both sides pay the same client cost. Figures are only comparable within one run on one machine.
 *
 * To add a scenario (e.g. the notify benchmark), push a `BenchScenario` onto `SCENARIOS` below.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { startWechatEmulator } from '@wxh5/wechat-emulator';
import Koa from 'koa';
import { createApp } from '../src/app';
import { parseConfig } from '../src/config';
import { createDeps } from '../src/create-deps';
import { notifyScenario } from './notify';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  non2xx: number;
  errors: number;
  /**
   * Process CPU time (user + system) per request, in µs — server and autocannon together (the client's share is the
   * same on both sides). Less sensitive than req/s to other load on a shared machine.
   */
  cpuMicrosPerRequest: number;
}

export interface ScenarioReport {
  name: string;
  app: LoadResult;
  bareKoa: LoadResult;
  /** app req/s ÷ bare Koa req/s. */
  ratio: number;
  /** Pass/fail of this scenario's targets, in words. */
  targets: { description: string; met: boolean }[];
}

export interface BenchOptions {
  seconds: number;
  connections: number;
}

export interface BenchScenario {
  name: string;
  description: string;
  run(options: BenchOptions): Promise<ScenarioReport>;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
}) => Promise<AutocannonResult>;

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as Autocannon;

export async function load(url: string, options: BenchOptions): Promise<LoadResult> {
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({ url, connections: options.connections, duration: options.seconds });
  const cpu = process.cpuUsage(cpuBefore);
  return {
    cpuMicrosPerRequest: (cpu.user + cpu.system) / Math.max(1, result.requests.total),
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Sum of several rounds: totals add up, req/s is the mean, latencies are the median of the rounds. */
function combine(rounds: LoadResult[]): LoadResult {
  return {
    requestsPerSecond: rounds.reduce((sum, r) => sum + r.requestsPerSecond, 0) / rounds.length,
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    total: rounds.reduce((sum, r) => sum + r.total, 0),
    non2xx: rounds.reduce((sum, r) => sum + r.non2xx, 0),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    cpuMicrosPerRequest: median(rounds.map((r) => r.cpuMicrosPerRequest)),
  };
}

/**
 * Drive `appUrl` and `bareUrl` for `seconds` each, split into alternating rounds (app, bare, bare, app, …) so that
 * load from elsewhere on a shared machine hits both sides alike.
 */
export async function compare(
  appUrl: string,
  bareUrl: string,
  options: BenchOptions,
): Promise<{ app: LoadResult; bareKoa: LoadResult }> {
  const rounds = Math.max(1, Math.min(5, Math.floor(options.seconds / 2)));
  const slice = { ...options, seconds: Math.max(1, Math.round(options.seconds / rounds)) };
  const app: LoadResult[] = [];
  const bare: LoadResult[] = [];
  for (let i = 0; i < rounds; i += 1) {
    if (i % 2 === 0) {
      app.push(await load(appUrl, slice));
      bare.push(await load(bareUrl, slice));
    } else {
      bare.push(await load(bareUrl, slice));
      app.push(await load(appUrl, slice));
    }
  }
  return { app: combine(app), bareKoa: combine(bare) };
}

export function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A Koa hello-world answering a JSON envelope of about the same size, listening the same way as the app. */
export async function startBareKoa(): Promise<{ url: string; close(): Promise<void> }> {
  const app = new Koa();
  app.use((ctx) => {
    ctx.body = { code: 0, data: { hello: 'world' } };
  });
  const callback = app.callback();
  const server = createServer((req, res) => {
    void callback(req, res);
  });
  const url = await listen(server);
  return { url, close: () => closeServer(server) };
}

export const DEMO_ENV = {
  WECHAT_APP_ID: 'wx8a4c5b1d2e3f6a70',
  WECHAT_APP_SECRET: 'd2c7f3a9b8e14c5f9a6b3e2d1c0f9e8a',
  WECHAT_MCH_ID: '1900000109',
  WECHAT_PAY_KEY: 'DemoPayKey0123456789abcdefABCDEF',
  COOKIE_KEYS: 'bench-cookie-key-0123456789abcdefghijklmnop',
  LOG_LEVEL: 'silent',
  PAY_SWEEP_INTERVAL_SECONDS: '0',
};

const jssdkScenario: BenchScenario = {
  name: 'jssdk',
  description: 'GET /api/wechat/jssdk (warm token/ticket cache, SQLite, in-process keyv) vs bare Koa',
  async run(options) {
    const emulator = await startWechatEmulator({ port: 0, host: '127.0.0.1' });
    const dir = mkdtempSync(path.join(tmpdir(), 'wxh5-bench-'));
    const server = createServer();
    const url = await listen(server);
    const config = parseConfig({
      ...DEMO_ENV,
      PUBLIC_BASE_URL: url,
      DATABASE_URL: `sqlite:${path.join(dir, 'bench.sqlite')}`,
      WECHAT_OAUTH_BASE_URL: emulator.url,
      WECHAT_API_BASE_URL: emulator.url,
      WECHAT_PAY_BASE_URL: emulator.url,
    });
    const handle = await createDeps(config);
    const callback = createApp(handle.deps).callback();
    server.on('request', (req, res) => {
      void callback(req, res);
    });
    const bare = await startBareKoa();
    try {
      const target = `${url}/api/wechat/jssdk?url=${encodeURIComponent(`${url}/pay?from=bench`)}`;
      const warm = await fetch(target);
      if (warm.status !== 200) throw new Error(`warm-up answered ${warm.status}: ${await warm.text()}`);
      // Short warm-up of both servers (JIT), then the measured runs, interleaved.
      await load(bare.url, { ...options, seconds: 1 });
      await load(target, { ...options, seconds: 1 });
      const { app, bareKoa } = await compare(target, bare.url, options);
      const ratio = app.requestsPerSecond / bareKoa.requestsPerSecond;
      return {
        name: this.name,
        app,
        bareKoa,
        ratio,
        targets: [
          { description: 'req/s ≥ 0.9 × bare Koa', met: ratio >= 0.9 },
          { description: 'p99 < 20 ms', met: app.p99Ms < 20 },
          { description: 'no errors, every answer 2xx', met: app.errors === 0 && app.non2xx === 0 },
        ],
      };
    } finally {
      await bare.close();
      await closeServer(server);
      await handle.close();
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** Every scenario `pnpm bench` runs, in order. Add yours here. */
export const SCENARIOS: BenchScenario[] = [jssdkScenario, notifyScenario];

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function printReport(report: ScenarioReport): void {
  const row = (label: string, r: LoadResult) =>
    `  ${label.padEnd(9)} ${r.requestsPerSecond.toFixed(0).padStart(7)} req/s   p50 ${String(r.p50Ms).padStart(3)} ms   p99 ${String(r.p99Ms).padStart(3)} ms   ${r.cpuMicrosPerRequest.toFixed(0).padStart(4)} µs CPU/req   ${r.total} requests, ${r.non2xx} non-2xx, ${r.errors} errors`;
  console.log(`\n${report.name}`);
  console.log(row('app', report.app));
  console.log(row('bare Koa', report.bareKoa));
  console.log(`  ratio     ${report.ratio.toFixed(3)} of bare Koa (req/s)`);
  console.log(
    `  CPU ratio ${(report.bareKoa.cpuMicrosPerRequest / report.app.cpuMicrosPerRequest).toFixed(3)} (bare Koa CPU/req ÷ app CPU/req)`,
  );
  console.log(
    `  load average at the end: ${loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')}`,
  );
  for (const target of report.targets)
    console.log(`  [${target.met ? 'met' : 'MISSED'}] ${target.description}`);
}

async function main(): Promise<void> {
  const seconds = Number(argument('seconds') ?? 10);
  const connections = Number(argument('connections') ?? 50);
  const only = argument('only');
  const selected = SCENARIOS.filter((scenario) => !only || scenario.name === only);
  console.log(`wxh5 api bench: ${seconds} s per run, ${connections} connections, node ${process.version}`);
  for (const scenario of selected) {
    console.log(`\n… ${scenario.name}: ${scenario.description}`);
    printReport(await scenario.run({ seconds, connections }));
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
