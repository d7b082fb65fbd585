/**
 * The measuring side of the benchmark. Every server under test runs in its own CHILD process and autocannon
 * drives it from this one, so the load generator never shares a server's event loop:
 *
 * - the app as production runs it: `node dist/main.js` when the production build exists and is newer than
 *   `src/` (else `node --import tsx src/main.ts`, and the runner says so), configured through its environment;
 * - ceilings and peers: `bench/peers.ts`.
 *
 * The sides of a comparison are driven by the same client with the same options in rotating rounds (a b c, b c a,
 * …) so that other load on a shared machine hits them alike. A server's CPU time is read from /proc (user +
 * system, all threads).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEMO_API_V3_KEY,
  DEMO_KEY_FILES,
  DEMO_MCH_CERT_SERIAL,
  DEMO_WECHATPAY_PUBLIC_KEY_ID,
} from '@wxh5/wechat-emulator';
import { DEMO } from '@wxh5/wechat-emulator/testing';
import type { PeerSpec } from './peers';

export interface BenchOptions {
  seconds: number;
  connections: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  non2xx: number;
  errors: number;
  /** CPU time (user + system) of the SERVER process per answered request, µs — the client is not counted. */
  serverCpuMicrosPerRequest: number;
}

export interface ServerHandle {
  label: string;
  url: string;
  cpuMicros(): number;
  close(): Promise<void>;
}

const API_DIR = fileURLToPath(new URL('..', import.meta.url));
const DIST_MAIN = path.join(API_DIR, 'dist', 'main.js');
const TSX = import.meta.resolve('tsx');
const CLOCK_TICKS_PER_SECOND = 100;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** How the app runs: the production build when it exists and is at least as new as src/. */
export function appLaunch(): { args: string[]; description: string } {
  if (existsSync(DIST_MAIN)) {
    if (statSync(DIST_MAIN).mtimeMs >= newestMtime(path.join(API_DIR, 'src'))) {
      return { args: [DIST_MAIN], description: 'the production build (node dist/main.js)' };
    }
    return {
      args: ['--import', TSX, path.join(API_DIR, 'src', 'main.ts')],
      description: 'src/main.ts under tsx — dist/main.js is older than src/ (run pnpm build)',
    };
  }
  return {
    args: ['--import', TSX, path.join(API_DIR, 'src', 'main.ts')],
    description: 'src/main.ts under tsx (no production build in dist/)',
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** user + system CPU of a process, µs, from /proc/<pid>/stat (fields 14 and 15, in clock ticks). */
function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS_PER_SECOND;
}

async function waitForListening(url: string, child: ChildProcess, label: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${label} exited with ${child.exitCode} before listening`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${label} did not listen within 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function launch(label: string, args: string[], env: NodeJS.ProcessEnv, port: number) {
  const child = spawn(process.execPath, args, {
    env,
    // stdout (pino's lines at info, as in production) goes to /dev/null: the logging cost stays.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForListening(url, child, label);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const handle: ServerHandle = {
    label,
    url,
    cpuMicros: () => processCpuMicros(child.pid as number),
    close: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return handle;
}

export const DEMO_ENV = {
  WECHAT_APP_ID: DEMO.appId,
  WECHAT_APP_SECRET: DEMO.appSecret,
  WECHAT_MCH_ID: DEMO.mchId,
  WECHAT_PAY_KEY: DEMO.payKey,
  COOKIE_KEYS: 'bench-cookie-key-0123456789abcdefghijklmnop',
};

/**
 * WeChat Pay API v3 in public-key mode with the emulator's demo key files, as `pnpm start` runs it (the v2 key stays:
 * the live switch keeps v2 orders working, and v3 goes first).
 */
export const DEMO_V3_ENV = {
  WECHAT_PAY_API: 'v3',
  WECHAT_PAY_MCH_PRIVATE_KEY_PATH: DEMO_KEY_FILES.merchantPrivateKey,
  WECHAT_PAY_MCH_CERT_SERIAL: DEMO_MCH_CERT_SERIAL,
  WECHAT_PAY_API_V3_KEY: DEMO_API_V3_KEY,
  WECHAT_PAY_PUBLIC_KEY_PATH: DEMO_KEY_FILES.wechatpayPublicKey,
  WECHAT_PAY_PUBLIC_KEY_ID: DEMO_WECHATPAY_PUBLIC_KEY_ID,
};

/** The app on `databaseUrl`, configured as production is: through its environment only (`extraEnv` on top). */
export async function startApp(
  label: string,
  databaseUrl: string,
  wechatUrl: string,
  extraEnv: Record<string, string> = {},
): Promise<ServerHandle> {
  const port = await freePort();
  const env = {
    PATH: process.env['PATH'],
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'info',
    PAY_SWEEP_INTERVAL_SECONDS: '0',
    WECHAT_OAUTH_BASE_URL: wechatUrl,
    WECHAT_API_BASE_URL: wechatUrl,
    WECHAT_PAY_BASE_URL: wechatUrl,
    ...DEMO_ENV,
    ...extraEnv,
  };
  return launch(label, appLaunch().args, env, port);
}

const PEERS_SCRIPT = fileURLToPath(new URL('./peers.ts', import.meta.url));

export async function startPeer(label: string, spec: PeerSpec): Promise<ServerHandle> {
  const port = await freePort();
  return launch(
    label,
    ['--import', TSX, PEERS_SCRIPT, JSON.stringify(spec), String(port)],
    { PATH: process.env['PATH'], NODE_ENV: 'production' },
    port,
  );
}

interface AutocannonResult {
  requests: { total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
export interface AutocannonRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  setupRequest?: (request: Record<string, unknown>) => Record<string, unknown>;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
  requests?: AutocannonRequest[];
}) => Promise<AutocannonResult>;

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as Autocannon;

interface Slice {
  requests: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  serverCpuMicros: number;
}

/** What one side of a comparison sends: a GET of `path`, or the requests autocannon cycles through. */
export interface Side {
  name: string;
  server: ServerHandle;
  path?: string;
  headers?: Record<string, string>;
  requests?: () => AutocannonRequest[];
}

async function drive(side: Side, options: BenchOptions): Promise<Slice> {
  const cpuBefore = side.server.cpuMicros();
  const result = await autocannon({
    url: side.server.url + (side.path ?? ''),
    connections: options.connections,
    duration: options.seconds,
    ...(side.headers ? { headers: side.headers } : {}),
    ...(side.requests ? { requests: side.requests() } : {}),
  });
  return {
    requests: result.requests.total,
    seconds: result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    serverCpuMicros: side.server.cpuMicros() - cpuBefore,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

function combine(slices: Slice[]): LoadResult {
  const total = slices.reduce((sum, s) => sum + s.requests, 0);
  const seconds = slices.reduce((sum, s) => sum + s.seconds, 0);
  return {
    requestsPerSecond: total / Math.max(0.001, seconds),
    p50Ms: median(slices.map((s) => s.p50Ms)),
    p99Ms: median(slices.map((s) => s.p99Ms)),
    total,
    non2xx: slices.reduce((sum, s) => sum + s.non2xx, 0),
    errors: slices.reduce((sum, s) => sum + s.errors, 0),
    serverCpuMicrosPerRequest: slices.reduce((sum, s) => sum + s.serverCpuMicros, 0) / Math.max(1, total),
  };
}

export interface Comparison {
  results: Record<string, LoadResult>;
  /** Load average (1 min) at the start and the end. */
  loadAverage: [number, number];
}

/**
 * `options.seconds` per side in rounds of ~2 s, the order rotating each round; a 1 s warm-up of each side first
 * (JIT, connection pools), not counted.
 */
export async function compare(sides: Side[], options: BenchOptions): Promise<Comparison> {
  for (const side of sides) await drive(side, { ...options, seconds: 1 });
  const loadStart = loadavg()[0] ?? 0;
  const rounds = Math.max(1, Math.floor(options.seconds / 2));
  const slice = {
    connections: options.connections,
    seconds: Math.max(1, Math.round(options.seconds / rounds)),
  };
  const slices = new Map<string, Slice[]>(sides.map((side) => [side.name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (let k = 0; k < sides.length; k += 1) {
      const side = sides[(round + k) % sides.length] as Side;
      slices.get(side.name)?.push(await drive(side, slice));
    }
  }
  return {
    results: Object.fromEntries([...slices].map(([name, list]) => [name, combine(list)])),
    loadAverage: [loadStart, loadavg()[0] ?? 0],
  };
}
