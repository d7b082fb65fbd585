import type { AddressInfo } from 'node:net';
import type { PayWalletResponse } from '@wxh5/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsServer } from '../src/metrics/create-metrics-server';
import { createOrderAs, orderRow, pollUntil, sessionCookie } from './pay-kit';
import { createHttpClient, startTestApi, TEST_ADMIN_TOKEN, useFileEmulator, type TestApi } from './support';

const shared = useFileEmulator();
let api: TestApi;
let metricsUrl: string;
let closeMetrics: () => Promise<void>;

beforeAll(async () => {
  api = await startTestApi({ emulatorUrl: shared.emulator.url });
  const server = createMetricsServer(api.deps.metrics.registry);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  metricsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  closeMetrics = () => new Promise((resolve) => server.close(() => resolve()));
});
afterAll(async () => {
  await closeMetrics();
  await api.close();
});

/** The value of one sample line of the text exposition, e.g. `name{a="b"}`; 0 when absent. */
async function sample(series: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('GET /metrics', () => {
  it('moves the request, WeChat call, notify and order counters through one pay flow', async () => {
    const payWalletRequests =
      'wxh5_http_request_duration_seconds_count{method="POST",route="/api/wechat/pay/payWallet",status="200"}';
    const unifiedorder = 'wxh5_wechat_call_duration_seconds_count{endpoint="/pay/unifiedorder",outcome="ok"}';
    const accepted = 'wxh5_notifies_total{kind="pay",verdict="accepted"}';
    const paid = 'wxh5_order_transitions_total{from="PENDING",to="PAID"}';
    expect(await sample(payWalletRequests)).toBe(0);
    expect(await sample(accepted)).toBe(0);

    const client = createHttpClient(api.url);
    const created = await client.post('/api/wechat/pay/payWallet', {
      headers: { cookie: await sessionCookie(api, shared.aliceOpenId) },
      json: { productId: 'tip', amountFen: 250 },
    });
    expect(created.status).toBe(200);
    const { outTradeNo } = created.json<{ data: PayWalletResponse }>().data;
    await shared.emulator.control('POST', `/__emulator/orders/${outTradeNo}/pay`, {});
    await pollUntil(
      () => orderRow(api.deps.db, outTradeNo),
      (row) => row?.status === 'PAID',
    );

    expect(await sample(payWalletRequests)).toBe(1);
    expect(await sample(unifiedorder)).toBe(1);
    // The notify is counted once its answer is written; wait for the counter rather than the row.
    expect(
      await pollUntil(
        () => sample(accepted),
        (n) => n === 1,
      ),
    ).toBe(1);
    expect(await sample(paid)).toBe(1);
    expect(
      await sample(
        'wxh5_http_request_duration_seconds_count{method="POST",route="/api/wechat/pay/callback",status="200"}',
      ),
    ).toBe(1);
  });

  it('counts a close (PENDING → CLOSED) once, and each credential fetched from WeChat once', async () => {
    const closed = 'wxh5_order_transitions_total{from="PENDING",to="CLOSED"}';
    const tokenFetched = 'wxh5_credential_refreshes_total{kind="access_token",outcome="ok"}';
    const ticketFetched = 'wxh5_credential_refreshes_total{kind="jsapi_ticket",outcome="ok"}';
    const before = {
      closed: await sample(closed),
      token: await sample(tokenFetched),
      ticket: await sample(ticketFetched),
    };

    const client = createHttpClient(api.url);
    const cookie = await sessionCookie(api, shared.aliceOpenId);
    const created = await client.post('/api/wechat/pay/payWallet', {
      headers: { cookie },
      json: { productId: 'tip', amountFen: 260 },
    });
    const { outTradeNo } = created.json<{ data: PayWalletResponse }>().data;
    for (let i = 0; i < 2; i += 1) {
      const close = await client.post(`/api/wechat/pay/orders/${outTradeNo}/close`, {
        headers: { cookie, origin: api.url },
      });
      expect(close.status).toBe(200);
    }
    expect(await sample(closed)).toBe(before.closed + 1);

    // Two signatures: the token and the ticket are fetched for the first, served from the cache for the second.
    for (let i = 0; i < 2; i += 1) {
      const signed = await client.get(`/api/wechat/jssdk?url=${encodeURIComponent(`${api.url}/pay`)}`);
      expect(signed.status).toBe(200);
    }
    expect(await sample(tokenFetched)).toBe(before.token + 1);
    expect(await sample(ticketFetched)).toBe(before.ticket + 1);
  });

  it('counts refunds by the status they enter: PROCESSING when started, SUCCESS when WeChat says so', async () => {
    const processing = 'wxh5_refunds_total{status="PROCESSING"}';
    const success = 'wxh5_refunds_total{status="SUCCESS"}';
    const before = { processing: await sample(processing), success: await sample(success) };
    const { outTradeNo } = await createOrderAs(api, shared.aliceOpenId, { amountFen: 270 });
    await shared.emulator.control('POST', `/__emulator/orders/${outTradeNo}/pay`, {});
    await pollUntil(
      () => orderRow(api.deps.db, outTradeNo),
      (row) => row?.status === 'PAID',
    );
    const refunded = await createHttpClient(api.url).post(`/api/admin/orders/${outTradeNo}/refund`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      json: { amountFen: 270 },
    });
    expect(refunded.status).toBe(201);
    expect(await sample(processing)).toBe(before.processing + 1);
    expect(
      await pollUntil(
        () => sample(success),
        (n) => n === before.success + 1,
      ),
    ).toBe(before.success + 1);
  });

  it('answers only /metrics, in the Prometheus text format', async () => {
    const response = await fetch(metricsUrl);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect((await fetch(metricsUrl.replace('/metrics', '/other'))).status).toBe(404);
  });
});
