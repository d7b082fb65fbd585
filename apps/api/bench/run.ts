/**
 * The api's benchmark runner (`pnpm bench` → `pnpm --filter @wxh5/api bench` → this file).
 *
 *   pnpm --filter @wxh5/api bench [--seconds 10] [--connections 50] [--only jssdk|notify]
 *                                 [--profile <dir>] [--log-level info]
 *
 * Each server under test runs in its own child process (`bench/server.ts`): the real app (embedded SQLite file,
 * in-process keyv, LOG_LEVEL info with its output thrown away) and a bare Koa hello-world started the same way.
 * autocannon drives both from this process, for the same time and connection count, in alternating slices; the
 * WeChat emulator runs here too (the app only calls it while warming up). Reported per side: req/s, p50/p99,
 * the server process's CPU µs per request; then the req/s ratio, the per-round ratios and the load average.
 * Figures are only comparable within one run on one machine. `--profile <dir>` writes a `.cpuprofile` of the app
 * child (open it in Chrome DevTools → Performance, or speedscope).
 *
 * To add a scenario, push a `BenchScenario` onto `SCENARIOS` below.
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { startWechatEmulator } from '@wxh5/wechat-emulator';
import { alternate, drive, startServer, type BenchOptions, type Comparison } from './harness';
import { notifyScenario } from './notify';

export type { BenchOptions, LoadResult } from './harness';

export interface ScenarioReport extends Comparison {
  name: string;
  /** app req/s ÷ bare Koa req/s. */
  ratio: number;
  /** Anything else worth printing (e.g. the notify verdicts). */
  notes: string[];
  /** Pass/fail of this scenario's targets, in words. */
  targets: { description: string; met: boolean }[];
}

export interface BenchScenario {
  name: string;
  description: string;
  run(options: BenchOptions): Promise<ScenarioReport>;
}

const jssdkScenario: BenchScenario = {
  name: 'jssdk',
  description: 'GET /api/wechat/jssdk (warm token/ticket cache, SQLite, in-process keyv) vs bare Koa',
  async run(options) {
    const emulator = await startWechatEmulator({ port: 0, host: '127.0.0.1' });
    const app = await startServer(
      { kind: 'app', emulatorUrl: emulator.url, logLevel: options.logLevel ?? 'info' },
      { profileDir: options.profileDir },
    );
    const bare = await startServer({ kind: 'bare-json' });
    try {
      const target = `/api/wechat/jssdk?url=${encodeURIComponent(`${app.url}/pay?from=bench`)}`;
      const warm = await fetch(app.url + target);
      if (warm.status !== 200) throw new Error(`warm-up answered ${warm.status}: ${await warm.text()}`);
      // Short warm-up of both servers (JIT), then the measured runs, interleaved.
      await drive(bare, '/', { ...options, seconds: 2 });
      await drive(app, target, { ...options, seconds: 2 });
      const comparison = await alternate(
        options,
        (slice) => drive(app, target, slice),
        (slice) => drive(bare, '/', slice),
      );
      const ratio = comparison.app.requestsPerSecond / comparison.bareKoa.requestsPerSecond;
      return {
        name: this.name,
        ...comparison,
        ratio,
        notes: [],
        targets: [
          { description: 'req/s ≥ 0.9 × bare Koa', met: ratio >= 0.9 },
          { description: 'p99 < 20 ms', met: comparison.app.p99Ms < 20 },
          {
            description: 'no errors, every answer 2xx',
            met: comparison.app.errors === 0 && comparison.app.non2xx === 0,
          },
        ],
      };
    } finally {
      await bare.close();
      await app.close();
      await emulator.close();
    }
  },
};

/** Every scenario `pnpm bench` runs, in order. Add yours here. */
export const SCENARIOS: BenchScenario[] = [jssdkScenario, notifyScenario];

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

export function printReport(report: ScenarioReport): void {
  const row = (label: string, r: ScenarioReport['app']) =>
    `  ${label.padEnd(9)} ${r.requestsPerSecond.toFixed(0).padStart(7)} req/s   p50 ${String(r.p50Ms).padStart(3)} ms   p99 ${String(r.p99Ms).padStart(3)} ms   ${r.serverCpuMicrosPerRequest.toFixed(0).padStart(4)} µs server CPU/req (${r.serverSystemMicrosPerRequest.toFixed(0)} system)   ${r.total} requests, ${r.non2xx} non-2xx, ${r.errors} errors`;
  console.log(`\n${report.name}`);
  console.log(row('app', report.app));
  console.log(row('bare Koa', report.bareKoa));
  console.log(
    `  ratio     ${report.ratio.toFixed(3)} of bare Koa (req/s); per round ${report.roundRatios.map((r) => r.toFixed(2)).join(' ')}`,
  );
  console.log(
    `  CPU ratio ${(report.bareKoa.serverCpuMicrosPerRequest / report.app.serverCpuMicrosPerRequest).toFixed(3)} (bare Koa server CPU/req ÷ app server CPU/req)`,
  );
  console.log(
    `  load average (1 min) ${report.loadAverage[0].toFixed(1)} at the start, ${report.loadAverage[1].toFixed(1)} at the end (${loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')}) on a machine with 2 cores`,
  );
  for (const note of report.notes) console.log(`  ${note}`);
  for (const target of report.targets)
    console.log(`  [${target.met ? 'met' : 'MISSED'}] ${target.description}`);
}

async function main(): Promise<void> {
  const seconds = Number(argument('seconds') ?? 10);
  const connections = Number(argument('connections') ?? 50);
  const only = argument('only');
  const profile = argument('profile');
  const options: BenchOptions = {
    seconds,
    connections,
    profileDir: profile ? path.resolve(profile) : undefined,
    logLevel: argument('log-level'),
  };
  const selected = SCENARIOS.filter((scenario) => !only || scenario.name === only);
  if (selected.length === 0) throw new Error(`no scenario named ${only ?? ''}`);
  console.log(
    `wxh5 api bench: ${seconds} s per side, ${connections} connections, node ${process.version}; servers in child processes, autocannon here`,
  );
  for (const scenario of selected) {
    console.log(`\n… ${scenario.name}: ${scenario.description}`);
    printReport(await scenario.run(options));
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
