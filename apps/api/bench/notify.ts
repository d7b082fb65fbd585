/**
 * Notify ingestion benchmark (a scenario of bench/run.ts): valid v2 pay notifies per second through the real app
 * (parse, constant-time verify, checks, one SQLite transaction — WAL, synchronous=FULL — recording the notify and
 * moving PENDING → PAID, XML reply after the commit) against bare Koa reading the same body and answering the same
 * XML; each in its own child process, driven alternately by autocannon from the runner's process.
 *
 *   pnpm --filter @wxh5/api bench --only notify [--seconds 10] [--connections 50]
 *
 * N orders are created up front (in the app child) and each request carries a DISTINCT valid notify for the next
 * order, so every request is a real first delivery (a transition), not a replay. If a run outlasts N, requests
 * wrap around and the rest are replays (the `duplicate` path); the summary says how many of each were recorded.
 */
import { benchNotifyBody } from './bench-data';
import { alternate, drive, startServer, type AutocannonRequest } from './harness';
import type { BenchScenario } from './run';

const CALLBACK = '/api/wechat/pay/callback';
const ORDERS = 60_000;

function notifyRequests(bodies: string[], cursor: { next: number }): AutocannonRequest[] {
  return [
    {
      method: 'POST',
      path: CALLBACK,
      headers: { 'content-type': 'text/xml' },
      setupRequest: (request) => {
        const body = bodies[cursor.next % bodies.length];
        cursor.next += 1;
        return { ...request, body };
      },
    },
  ];
}

export const notifyScenario: BenchScenario = {
  name: 'notify',
  description:
    'POST /api/wechat/pay/callback, distinct valid notifies, SQLite file (WAL, synchronous=FULL) vs bare Koa reading the body',
  async run(options) {
    const bodies = Array.from({ length: ORDERS }, (_, i) => benchNotifyBody(i));
    const app = await startServer(
      { kind: 'app', seedOrders: ORDERS, logLevel: options.logLevel ?? 'info' },
      { profileDir: options.profileDir },
    );
    const bare = await startServer({ kind: 'bare-xml' });
    try {
      const appCursor = { next: 0 };
      const bareCursor = { next: 0 };
      // Warm-up (JIT) of the bare server only: every notify sent to the app counts.
      await drive(bare, '', { ...options, seconds: 2 }, notifyRequests(bodies, bareCursor));
      const comparison = await alternate(
        options,
        (slice) => drive(app, '', slice, notifyRequests(bodies, appCursor)),
        (slice) => drive(bare, '', slice, notifyRequests(bodies, bareCursor)),
      );
      const { verdicts, paidOrders } = await app.stats();
      const ratio = comparison.app.requestsPerSecond / comparison.bareKoa.requestsPerSecond;
      const accepted = verdicts['accepted'] ?? 0;
      return {
        name: this.name,
        ...comparison,
        ratio,
        notes: [`verdicts ${JSON.stringify(verdicts)}; orders PAID ${paidOrders}`],
        targets: [
          { description: 'req/s ≥ 0.5 × bare Koa', met: ratio >= 0.5 },
          {
            description: 'no errors, every answer 2xx',
            met: comparison.app.errors === 0 && comparison.app.non2xx === 0,
          },
          {
            description: 'every answered notify recorded, each order paid once',
            // autocannon counts the answers received within each slice; the few still in flight at a slice's end
            // are recorded too, hence ≥.
            met: accepted + (verdicts['duplicate'] ?? 0) >= comparison.app.total && paidOrders === accepted,
          },
        ],
      };
    } finally {
      await bare.close();
      await app.close();
    }
  },
};
