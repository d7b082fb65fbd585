// A merchant notify endpoint for tests: a real HTTP server on a free port that records every raw body and
// answers with whatever `reply(n)` says for the n-th delivery (1-based).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedNotify {
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface NotifyReceiver {
  url: string;
  bodies: string[];
  /** The same deliveries with their headers (v3 notifies are verified from them). */
  requests: ReceivedNotify[];
  close(): Promise<void>;
  /** Resolves once `count` notifies have arrived (rejects after `timeoutMs`). */
  waitForCount(count: number, timeoutMs?: number): Promise<void>;
}

export const SUCCESS_REPLY =
  '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>';
export const FAIL_REPLY =
  '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[not yet]]></return_msg></xml>';

export async function startNotifyReceiver(
  reply: (
    n: number,
    body: string,
    headers: Record<string, string | string[] | undefined>,
  ) => { status?: number; body: string } = () => ({ body: SUCCESS_REPLY }),
  path = '/api/wechat/pay/callback',
): Promise<NotifyReceiver> {
  const bodies: string[] = [];
  const requests: ReceivedNotify[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      bodies.push(body);
      requests.push({ body, headers: req.headers });
      const answer = reply(bodies.length, body, req.headers);
      res.writeHead(answer.status ?? 200, { 'content-type': 'text/xml' });
      res.end(answer.body);
      for (const waiter of [...waiters]) {
        if (bodies.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    bodies,
    requests,
    waitForCount(count, timeoutMs = 5000) {
      if (bodies.length >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`expected ${count} notifies, got ${bodies.length}`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
