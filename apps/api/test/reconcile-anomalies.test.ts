import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger';
import { createPayServices } from '../src/pay/create-pay-services';
import { runPaySweep } from '../src/pay/pay-sweep';
import { createPayGatewayRegistry } from '../src/wechat/pay/create-pay-gateways';
import type { OrderAtWechat, PayGateway, RefundAtWechat } from '../src/wechat/pay/pay-gateway';
import { createV2GatewayFor } from '../src/wechat/pay/v2/create-v2-gateway-for';
import { createTestClock, startTestApi, useFileEmulator, type TestApi, type TestClock } from './support';
import { buildRefundNotify, insertOrder, notificationsFor, orderRow, postXml, testTradeNo } from './pay-kit';

const shared = useFileEmulator();

/** Every log line the api writes, parsed. */
function captureLogs() {
  type Line = { level: number; msg: string; [key: string]: unknown };
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Line);
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

async function metricValue(api: TestApi, name: string, labels: string): Promise<number> {
  const text = await api.deps.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe.each(['sqlite', 'postgres'] as const)('reconciliation and late outcomes on %s', (database) => {
  let api: TestApi;
  let clock: TestClock;
  let logs: ReturnType<typeof captureLogs>;
  beforeAll(async () => {
    clock = createTestClock();
    logs = captureLogs();
    api = await startTestApi({
      emulatorUrl: shared.emulator.url,
      database,
      now: clock.now,
      logger: logs.logger,
    });
  });
  afterAll(async () => {
    await api.close();
  });

  async function refundRow(outTradeNo: string, outRefundNo: string, amountFen: number, status: string) {
    const now = new Date(clock.now()).toISOString();
    await api.deps.db
      .insertInto('refunds')
      .values({
        out_refund_no: outRefundNo,
        out_trade_no: outTradeNo,
        amount_fen: amountFen,
        reason: null,
        status: status as 'PROCESSING',
        refund_id: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }

  const refundStatus = async (outRefundNo: string) =>
    (
      await api.deps.db
        .selectFrom('refunds')
        .select('status')
        .where('out_refund_no', '=', outRefundNo)
        .executeTakeFirstOrThrow()
    ).status;

  it('applies a refund SUCCESS that arrives after the refund was CLOSED, and alerts (error log + metric)', async () => {
    const outTradeNo = testTradeNo('L');
    await insertOrder(api.deps.db, { outTradeNo, amountFen: 500, status: 'PAID' });
    const outRefundNo = `R${outTradeNo}`.slice(0, 32);
    await refundRow(outTradeNo, outRefundNo, 200, 'CLOSED');
    const before = await metricValue(api, 'wxh5_refund_anomalies_total', 'kind="success_after_closed"');
    const answer = await postXml(
      `${api.url}/api/wechat/pay/refund-callback`,
      buildRefundNotify({ outTradeNo, outRefundNo, refundFee: 200, totalFee: 500 }),
    );
    expect(answer.returnCode).toBe('SUCCESS');
    expect(await refundStatus(outRefundNo)).toBe('SUCCESS');
    expect(await orderRow(api.deps.db, outTradeNo)).toMatchObject({ status: 'PAID', refunded_fen: 200 });
    expect((await notificationsFor(api.deps.db, outTradeNo)).map((n) => n.verdict)).toEqual([
      'success_after_close',
    ]);
    expect(await metricValue(api, 'wxh5_refund_anomalies_total', 'kind="success_after_closed"')).toBe(
      before + 1,
    );
    expect(
      logs.lines.some(
        (l) =>
          l.level >= 50 && l.msg.startsWith('REFUND SUCCESS AFTER CLOSED') && l.outRefundNo === outRefundNo,
      ),
    ).toBe(true);
  });

  it('never lets a late SUCCESS push refunded_fen past the paid amount: not applied, alerted', async () => {
    const outTradeNo = testTradeNo('M');
    await insertOrder(api.deps.db, { outTradeNo, amountFen: 500, status: 'PAID' });
    // 300 refunded by a second refund after the first (300) had been closed and its reservation released.
    await api.deps.db
      .updateTable('orders')
      .set({ refunded_fen: 300 })
      .where('out_trade_no', '=', outTradeNo)
      .execute();
    const closed = `R${outTradeNo}`.slice(0, 32);
    await refundRow(outTradeNo, closed, 300, 'CLOSED');
    await refundRow(outTradeNo, `S${outTradeNo}`.slice(0, 32), 300, 'SUCCESS');
    const before = await metricValue(api, 'wxh5_refund_anomalies_total', 'kind="exceeds_paid"');
    const answer = await postXml(
      `${api.url}/api/wechat/pay/refund-callback`,
      buildRefundNotify({ outTradeNo, outRefundNo: closed, refundFee: 300, totalFee: 500 }),
    );
    expect(answer.returnCode).toBe('SUCCESS');
    expect(await refundStatus(closed)).toBe('CLOSED');
    expect(await orderRow(api.deps.db, outTradeNo)).toMatchObject({ status: 'PAID', refunded_fen: 300 });
    expect((await notificationsFor(api.deps.db, outTradeNo)).map((n) => n.verdict)).toEqual([
      'success_after_close_unapplied',
    ]);
    expect(await metricValue(api, 'wxh5_refund_anomalies_total', 'kind="exceeds_paid"')).toBe(before + 1);
    expect(logs.lines.some((l) => l.level >= 50 && l.msg.startsWith('REFUND SUCCESS NOT APPLIED'))).toBe(
      true,
    );
  });

  it('writes an audit row (verdict reconciled) for a refund settled by the sweep', async () => {
    const outTradeNo = testTradeNo('Q');
    await insertOrder(api.deps.db, { outTradeNo, amountFen: 700, status: 'PAID' });
    const outRefundNo = `R${outTradeNo}`.slice(0, 32);
    await refundRow(outTradeNo, outRefundNo, 700, 'PROCESSING');
    const real = createV2GatewayFor(api.deps);
    const answers: RefundAtWechat = {
      state: 'done',
      outcome: 'SUCCESS',
      refundId: '50000000000000000000001',
    };
    const gateway: PayGateway = Object.assign(Object.create(real) as PayGateway, {
      queryOrder: (): Promise<OrderAtWechat> => Promise.resolve({ state: 'open' }),
      queryRefund: () => Promise.resolve(answers),
    });
    clock.advance(11_000);
    await runPaySweep(api.deps, createPayServices(api.deps, createPayGatewayRegistry([gateway])));
    expect(await refundStatus(outRefundNo)).toBe('SUCCESS');
    expect(await orderRow(api.deps.db, outTradeNo)).toMatchObject({ status: 'REFUNDED', refunded_fen: 700 });
    const audit = await notificationsFor(api.deps.db, outTradeNo);
    expect(audit.map((n) => [n.kind, n.verdict, n.transaction_id])).toEqual([
      ['refund', 'reconciled', '50000000000000000000001'],
    ]);
  });
});

describe('the sweep', () => {
  let api: TestApi;
  let clock: TestClock;
  beforeAll(async () => {
    clock = createTestClock();
    api = await startTestApi({ emulatorUrl: shared.emulator.url, now: clock.now });
  });
  afterAll(async () => {
    await api.close();
  });

  it('takes the least recently checked orders first and does not ask again within PAY_SWEEP_RECHECK_SECONDS', async () => {
    const createdAt = new Date(clock.now() - 60_000).toISOString();
    const numbers = Array.from({ length: 150 }, (_, i) =>
      `W${String(i).padStart(4, '0')}${testTradeNo('')}`.slice(0, 32),
    );
    for (const outTradeNo of numbers) await insertOrder(api.deps.db, { outTradeNo, amountFen: 1, createdAt });
    // WeChat cannot answer about any of them: every check fails.
    const asked: string[] = [];
    const real = createV2GatewayFor(api.deps);
    const gateway: PayGateway = Object.assign(Object.create(real) as PayGateway, {
      queryOrder(outTradeNo: string): Promise<OrderAtWechat> {
        asked.push(outTradeNo);
        return Promise.reject(new Error('WeChat is down'));
      },
    });
    const services = createPayServices(api.deps, createPayGatewayRegistry([gateway]));
    const first = await runPaySweep(api.deps, services);
    expect(first).toMatchObject({ checked: 100, errors: 100 });
    clock.advance(60_000);
    const second = await runPaySweep(api.deps, services);
    // The 50 the first pass could not reach, not the 100 that failed again.
    expect(second).toMatchObject({ checked: 50, errors: 50 });
    expect(new Set(asked).size).toBe(150);
    clock.advance(60_000);
    expect((await runPaySweep(api.deps, services)).checked).toBe(0);
    clock.advance(300_000);
    expect((await runPaySweep(api.deps, services)).checked).toBe(100);
  });
});
