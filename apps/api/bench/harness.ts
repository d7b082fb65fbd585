/**
 * The measuring side of the benchmark: servers under test run in CHILD processes (`bench/server.ts`, one per
 * server), and autocannon drives them from this process, so the load generator never shares the server's event
 * loop. Both sides of a comparison are started the same way and driven by the same client with the same options,
 * in alternating slices (app, bare, bare, app, …) so that other load on a shared machine hits both alike.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ServerMessage, ServerRequest, ServerSpec } from './server';

export interface BenchOptions {
  seconds: number;
  connections: number;
  /** Write a V8 CPU profile of the app child (`node --cpu-prof`) into this directory. */
  profileDir?: string | undefined;
  /** The app child's LOG_LEVEL (default `info`, what production runs; logs go to /dev/null). */
  logLevel?: string | undefined;
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
  /** The kernel's share of it (system time: sockets, fsync), µs per request. */
  serverSystemMicrosPerRequest: number;
}

export interface ServerHandle {
  url: string;
  cpuMicros(): Promise<{ total: number; system: number }>;
  stats(): Promise<{ verdicts: Record<string, number>; paidOrders: number }>;
  close(): Promise<void>;
}

const SERVER_SCRIPT = fileURLToPath(new URL('./server.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

/** Fork `bench/server.ts` with `spec`; resolves once it listens. */
export async function startServer(spec: ServerSpec, options: { profileDir?: string | undefined } = {}) {
  const execArgv = ['--import', TSX];
  if (options.profileDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${options.profileDir}`);
  // stdout (the app's pino lines) goes to /dev/null: the logging cost stays, the terminal stays readable.
  const child: ChildProcess = fork(SERVER_SCRIPT, [JSON.stringify(spec)], {
    execArgv,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const waiters = new Map<string, (message: ServerMessage) => void>();
  child.on('message', (message: ServerMessage) => {
    const waiter = waiters.get(message.type);
    waiters.delete(message.type);
    waiter?.(message);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ask = <T extends ServerMessage['type']>(
    type: T,
    request?: ServerRequest,
  ): Promise<Extract<ServerMessage, { type: T }>> =>
    new Promise((resolve, reject) => {
      const onExit = () => reject(new Error(`bench server (${spec.kind}) exited`));
      child.once('exit', onExit);
      waiters.set(type, (message) => {
        child.off('exit', onExit);
        resolve(message as Extract<ServerMessage, { type: T }>);
      });
      if (request) child.send(request);
    });
  const ready = await ask('ready');
  const handle: ServerHandle = {
    url: ready.url,
    cpuMicros: async () => {
      const { micros, systemMicros } = await ask('cpu', { type: 'cpu' });
      return { total: micros, system: systemMicros };
    },
    stats: async () => {
      const { verdicts, paidOrders } = await ask('stats', { type: 'stats' });
      return { verdicts, paidOrders };
    },
    close: async () => {
      if (child.exitCode === null) child.send({ type: 'close' } satisfies ServerRequest);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return handle;
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
  requests?: AutocannonRequest[];
}) => Promise<AutocannonResult>;

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as Autocannon;

export interface Slice {
  requests: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  serverCpuMicros: number;
  serverSystemMicros: number;
}

/** One autocannon run against `server` (url = server.url + path), with the server's CPU time over it. */
export async function drive(
  server: ServerHandle,
  path: string,
  options: { seconds: number; connections: number },
  requests?: AutocannonRequest[],
): Promise<Slice> {
  const cpuBefore = await server.cpuMicros();
  const result = await autocannon({
    url: server.url + path,
    connections: options.connections,
    duration: options.seconds,
    ...(requests ? { requests } : {}),
  });
  const cpuAfter = await server.cpuMicros();
  return {
    requests: result.requests.total,
    seconds: result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    serverCpuMicros: cpuAfter.total - cpuBefore.total,
    serverSystemMicros: cpuAfter.system - cpuBefore.system,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Throughput over all slices; p50/p99 are the medians of the slices' values; server CPU per request overall. */
export function combine(slices: Slice[]): LoadResult {
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
    serverSystemMicrosPerRequest:
      slices.reduce((sum, s) => sum + s.serverSystemMicros, 0) / Math.max(1, total),
  };
}

export interface Comparison {
  app: LoadResult;
  bareKoa: LoadResult;
  /** app req/s ÷ bare Koa req/s, per round (the spread shows how noisy the machine was). */
  roundRatios: number[];
  /** Load average (1 min) at the start and the end. */
  loadAverage: [number, number];
}

/**
 * `options.seconds` per side, split into alternating rounds of ~2 s (app, bare, bare, app, …). `runApp` and
 * `runBare` each drive one slice of the given length.
 */
export async function alternate(
  options: BenchOptions,
  runApp: (slice: { seconds: number; connections: number }) => Promise<Slice>,
  runBare: (slice: { seconds: number; connections: number }) => Promise<Slice>,
): Promise<Comparison> {
  const loadStart = loadavg()[0] ?? 0;
  const rounds = Math.max(1, Math.floor(options.seconds / 2));
  const slice = {
    connections: options.connections,
    seconds: Math.max(1, Math.round(options.seconds / rounds)),
  };
  const app: Slice[] = [];
  const bare: Slice[] = [];
  for (let i = 0; i < rounds; i += 1) {
    if (i % 2 === 0) {
      app.push(await runApp(slice));
      bare.push(await runBare(slice));
    } else {
      bare.push(await runBare(slice));
      app.push(await runApp(slice));
    }
  }
  return {
    app: combine(app),
    bareKoa: combine(bare),
    roundRatios: app.map((a, i) => a.requests / Math.max(1, bare[i]?.requests ?? 1)),
    loadAverage: [loadStart, loadavg()[0] ?? 0],
  };
}
