import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PayWalletResponse, RefundView } from '@wxh5/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { createPayServices, type PayServices } from '../src/pay/create-pay-services';
import { runPaySweep } from '../src/pay/pay-sweep';
import { WechatUnavailableError } from '../src/shared/wechat-error';
import { createPayGatewayRegistry } from '../src/wechat/pay/create-pay-gateways';
import type { PayGateway, RefundRequest } from '../src/wechat/pay/pay-gateway';
import { createV2GatewayFor } from '../src/wechat/pay/v2/create-v2-gateway-for';
import {
  createHttpClient,
  createTestClock,
  startTestApi,
  useFileEmulator,
  type TestApi,
  type TestClock,
} from './support';
import { DEMO, TEST_ADMIN_TOKEN, orderRow, pollUntil, sessionCookie } from './pay-kit';

const shared = useFileEmulator();

/**
 * The real v2 gateway with its refund call steerable: `loseNextAnswer` lets WeChat make the refund and then loses
 * the answer (a timeout after the fact — the case that refunded twice); `hold` keeps the next refund call in flight
 * until released. Counts the refund and refund-query calls per out_refund_no.
 */
function steerableGateway(real: PayGateway) {
  const calls = { refund: [] as string[], queryRefund: [] as string[] };
  const steer = { loseNextAnswer: false, hold: undefined as Promise<void> | undefined };
  const gateway: PayGateway = Object.assign(Object.create(real) as PayGateway, {
    async refund(request: RefundRequest) {
      calls.refund.push(request.outRefundNo);
      if (steer.hold) await steer.hold;
      const answer = await real.refund(request);
      if (steer.loseNextAnswer) {
        steer.loseNextAnswer = false;
        throw new WechatUnavailableError('/secapi/pay/refund', 'timeout', 3, 'ETIMEDOUT');
      }
      return answer;
    },
    queryRefund(outRefundNo: string, outTradeNo: string) {
      calls.queryRefund.push(outRefundNo);
      return real.queryRefund(outRefundNo, outTradeNo);
    },
  });
  return { gateway, calls, steer };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe.each(['sqlite', 'postgres'] as const)('refund idempotency on %s', (database) => {
  let api: TestApi;
  let clock: TestClock;
  let services: PayServices;
  let steering: ReturnType<typeof steerableGateway>;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    clock = createTestClock();
    api = await startTestApi({
      emulatorUrl: shared.emulator.url,
      database,
      now: clock.now,
      env: { PAY_SWEEP_RECHECK_SECONDS: '0' },
    });
    steering = steerableGateway(createV2GatewayFor(api.deps));
    services = createPayServices(api.deps, createPayGatewayRegistry([steering.gateway]));
    const handler = createApp(api.deps, services).callback();
    server = createServer((req, res) => void handler(req, res));
    url = await listen(server);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await api.close();
  });

  async function paidOrder(amountFen: number): Promise<string> {
    const response = await createHttpClient(url).post('/api/wechat/pay/payWallet', {
      headers: { cookie: await sessionCookie(api, shared.aliceOpenId, clock.now()) },
      json: { productId: 'tip', amountFen },
    });
    const { outTradeNo } = response.json<{ data: PayWalletResponse }>().data;
    await shared.emulator.control('POST', `/__emulator/orders/${outTradeNo}/pay`, {});
    const row = await pollUntil(
      () => orderRow(api.deps.db, outTradeNo),
      (r) => r?.status === 'PAID',
    );
    expect(row?.status).toBe('PAID');
    return outTradeNo;
  }

  const refund = (outTradeNo: string, body: unknown, key?: string) =>
    createHttpClient(url).post(`/api/admin/orders/${outTradeNo}/refund`, {
      headers: {
        authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
      json: body,
    });

  const refundRows = (outTradeNo: string) =>
    api.deps.db
      .selectFrom('refunds')
      .selectAll()
      .where('out_trade_no', '=', outTradeNo)
      .orderBy('id', 'asc')
      .execute();

  async function refundsAtWechat(outTradeNo: string): Promise<number> {
    const answer = await fetch(`${shared.emulator.url}/__emulator/orders/${outTradeNo}?mchId=${DEMO.mchId}`);
    return ((await answer.json()) as { refunded_fee: number }).refunded_fee;
  }

  it('refunds once when the answer to the first request is lost and the admin retries with the same key', async () => {
    const outTradeNo = await paidOrder(50);
    steering.steer.loseNextAnswer = true;
    const first = await refund(outTradeNo, { amountFen: 20 }, 'retry-after-503');
    expect(first.status).toBe(503);
    expect(first.json<{ message: string }>().message).toMatch(/same Idempotency-Key is safe/);
    const second = await refund(outTradeNo, { amountFen: 20 }, 'retry-after-503');
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const rows = await refundRows(outTradeNo);
    expect(rows).toHaveLength(1);
    expect(second.json<{ data: RefundView }>().data.outRefundNo).toBe(rows[0]?.out_refund_no);
    // WeChat was asked twice under ONE out_refund_no, and holds one refund of 20 fen.
    expect(new Set(steering.calls.refund.filter((no) => no === rows[0]?.out_refund_no)).size).toBe(1);
    const settled = await pollUntil(
      () => orderRow(api.deps.db, outTradeNo),
      (r) => r?.refunded_fen === 20,
    );
    expect(settled).toMatchObject({ status: 'PAID', refunded_fen: 20 });
    expect(await refundsAtWechat(outTradeNo)).toBe(20);
  });

  it('answers the same refund to the same key and body, with Idempotent-Replayed', async () => {
    const outTradeNo = await paidOrder(300);
    const first = await refund(outTradeNo, { amountFen: 100, reason: '重复' }, 'same-key-1');
    const again = await refund(outTradeNo, { amountFen: 100, reason: '重复' }, 'same-key-1');
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json<{ data: RefundView }>().data.outRefundNo).toBe(
      first.json<{ data: RefundView }>().data.outRefundNo,
    );
    expect(await refundRows(outTradeNo)).toHaveLength(1);
    // The same key on another order is another refund.
    const other = await paidOrder(300);
    expect((await refund(other, { amountFen: 100, reason: '重复' }, 'same-key-1')).status).toBe(201);
    expect(await refundRows(other)).toHaveLength(1);
  });

  it('refuses the same key with another body (422 idempotency_key_reused) and makes nothing', async () => {
    const outTradeNo = await paidOrder(300);
    expect((await refund(outTradeNo, { amountFen: 100 }, 'key-body')).status).toBe(201);
    for (const body of [{ amountFen: 101 }, { amountFen: 100, reason: 'other' }]) {
      const reused = await refund(outTradeNo, body, 'key-body');
      expect(reused.status).toBe(422);
      expect(reused.json()).toMatchObject({ error: 'idempotency_key_reused' });
    }
    expect(await refundRows(outTradeNo)).toHaveLength(1);
  });

  it('makes one refund from eight concurrent requests with one key', async () => {
    const outTradeNo = await paidOrder(300);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => refund(outTradeNo, { amountFen: 300 }, 'concurrent-key')),
    );
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 8 }, () => 201));
    const numbers = new Set(answers.map((a) => a.json<{ data: RefundView }>().data.outRefundNo));
    expect(numbers.size).toBe(1);
    expect(await refundRows(outTradeNo)).toHaveLength(1);
    const settled = await pollUntil(
      () => orderRow(api.deps.db, outTradeNo),
      (r) => r?.status === 'REFUNDED',
    );
    expect(settled).toMatchObject({ status: 'REFUNDED', refunded_fen: 300 });
  });

  it('neither a retry nor the sweep submits a refund whose first submit is still in flight', async () => {
    const outTradeNo = await paidOrder(400);
    let release: () => void = () => undefined;
    steering.steer.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = refund(outTradeNo, { amountFen: 400 }, 'in-flight');
    const row = await pollUntil(
      () => refundRows(outTradeNo),
      (rows) => rows.length === 1,
    );
    const outRefundNo = row[0]?.out_refund_no ?? '';
    await pollUntil(
      () => Promise.resolve(steering.calls.refund.filter((no) => no === outRefundNo).length),
      (n) => n === 1,
    );
    const retry = await refund(outTradeNo, { amountFen: 400 }, 'in-flight');
    expect(retry.status).toBe(201);
    expect(retry.json<{ data: RefundView }>().data).toMatchObject({ outRefundNo, status: 'PROCESSING' });
    clock.advance(11_000);
    await runPaySweep(api.deps, services);
    expect(steering.calls.refund.filter((no) => no === outRefundNo)).toHaveLength(1);
    expect(steering.calls.queryRefund.filter((no) => no === outRefundNo)).toHaveLength(0);
    steering.steer.hold = undefined;
    release();
    expect((await first).status).toBe(201);
    const settled = await pollUntil(
      () => orderRow(api.deps.db, outTradeNo),
      (r) => r?.status === 'REFUNDED',
    );
    expect(settled).toMatchObject({ refunded_fen: 400 });
  });

  it('refuses a malformed Idempotency-Key with 400', async () => {
    const outTradeNo = await paidOrder(100);
    const response = await refund(outTradeNo, { amountFen: 1 }, 'x'.repeat(65));
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_request' });
    expect(await refundRows(outTradeNo)).toHaveLength(0);
  });
});
