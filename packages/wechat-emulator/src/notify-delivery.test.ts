import { afterEach, describe, expect, it } from 'vitest';
import { parseXml, verifyV2 } from '@wxh5/wechat-core';
import {
  DEMO_APP_ID,
  DEMO_MCH_ID,
  DEMO_PAY_KEY,
  NOTIFY_RETRY_SCHEDULE_SECONDS,
  openidFor,
  startWechatEmulator,
} from './index';
import type { EmulatorHandle } from './index';
import { FAIL_REPLY, SUCCESS_REPLY, startNotifyReceiver } from './testing/notify-receiver';
import type { NotifyReceiver } from './testing/notify-receiver';
import { callPay } from './testing/pay-client';
import { waitUntil } from './testing/wait-until';

const TIME_SCALE = 0.01;
let emulator: EmulatorHandle | undefined;
let receiver: NotifyReceiver | undefined;
afterEach(async () => {
  await emulator?.close();
  await receiver?.close();
});

async function placeAndPay(
  handle: EmulatorHandle,
  notifyUrl: string,
  signType: 'MD5' | 'HMAC-SHA256' = 'MD5',
): Promise<void> {
  const result = await callPay(
    handle.url,
    '/pay/unifiedorder',
    {
      appid: DEMO_APP_ID,
      mch_id: DEMO_MCH_ID,
      body: 'notify test',
      out_trade_no: 'N1',
      total_fee: 1,
      spbill_create_ip: '127.0.0.1',
      notify_url: notifyUrl,
      trade_type: 'JSAPI',
      openid: openidFor(DEMO_APP_ID, 'alice'),
    },
    { key: DEMO_PAY_KEY, signType },
  );
  expect(result.result_code).toBe('SUCCESS');
  const response = await fetch(`${handle.url}/__emulator/orders/N1/pay`, { method: 'POST', body: '{}' });
  expect(response.status).toBe(200);
}

describe('notify delivery', () => {
  it('delivers exactly once to a receiver that answers SUCCESS, signed with the order sign type', async () => {
    for (const signType of ['MD5', 'HMAC-SHA256'] as const) {
      emulator = await startWechatEmulator({ port: 0, notifyTimeScale: TIME_SCALE });
      receiver = await startNotifyReceiver();
      await placeAndPay(emulator, receiver.url, signType);
      const handle = emulator;
      await waitUntil(() => handle.notifies().length === 1 && handle.pendingNotifies() === 0);
      expect(receiver.bodies).toHaveLength(1);
      const notify = parseXml(receiver.bodies[0] ?? '');
      expect(notify).toMatchObject({
        return_code: 'SUCCESS',
        result_code: 'SUCCESS',
        appid: DEMO_APP_ID,
        mch_id: DEMO_MCH_ID,
        out_trade_no: 'N1',
        total_fee: '1',
        cash_fee: '1',
        openid: openidFor(DEMO_APP_ID, 'alice'),
        trade_type: 'JSAPI',
      });
      expect(notify.sign).toHaveLength(signType === 'MD5' ? 32 : 64);
      expect(verifyV2(notify, DEMO_PAY_KEY, signType)).toBe(true);
      expect(handle.notifies()[0]).toMatchObject({
        kind: 'pay',
        attempt: 1,
        status: 200,
        ok: true,
        url: receiver.url,
      });
      await emulator.close();
      await receiver.close();
    }
  });

  it('retries a receiver that fails 3 times: exactly 4 deliveries, spaced at least by the scaled schedule', async () => {
    emulator = await startWechatEmulator({ port: 0, notifyTimeScale: TIME_SCALE });
    // Failure modes: a FAIL reply, an HTTP 500, and a 200 that is not WeChat's SUCCESS XML.
    receiver = await startNotifyReceiver((n) =>
      n === 1
        ? { body: FAIL_REPLY }
        : n === 2
          ? { status: 500, body: 'oops' }
          : n === 3
            ? { body: 'success' }
            : { body: SUCCESS_REPLY },
    );
    await placeAndPay(emulator, receiver.url);
    const handle = emulator;
    await waitUntil(() => handle.notifies().some((entry) => entry.ok) && handle.pendingNotifies() === 0);
    const log = handle.notifies();
    expect(log.map((entry) => [entry.attempt, entry.ok])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
    ]);
    expect(receiver.bodies).toHaveLength(4);
    // WeChat resends the same notify.
    expect(new Set(receiver.bodies).size).toBe(1);
    for (let i = 1; i < log.length; i += 1) {
      const gap = (log[i]?.at ?? 0) - (log[i - 1]?.at ?? 0);
      expect(gap).toBeGreaterThanOrEqual((NOTIFY_RETRY_SCHEDULE_SECONDS[i - 1] ?? 0) * 1000 * TIME_SCALE);
    }
    const served = (await (await fetch(`${handle.url}/__emulator/notifies`)).json()) as unknown[];
    expect(served).toHaveLength(4);
  });

  it('stops after 16 deliveries to a receiver that never succeeds', async () => {
    emulator = await startWechatEmulator({ port: 0, notifyTimeScale: 0.000005 });
    receiver = await startNotifyReceiver(() => ({ body: FAIL_REPLY }));
    await placeAndPay(emulator, receiver.url);
    const handle = emulator;
    await waitUntil(() => handle.notifies().length >= 16 && handle.pendingNotifies() === 0, 10_000);
    expect(handle.notifies()).toHaveLength(16);
    expect(NOTIFY_RETRY_SCHEDULE_SECONDS.reduce((sum, seconds) => sum + seconds, 0)).toBe(24 * 3600 + 4 * 60);
  });

  it('drops deliveries when told to, and sends duplicates on purpose', async () => {
    emulator = await startWechatEmulator({ port: 0, notifyTimeScale: TIME_SCALE });
    receiver = await startNotifyReceiver();
    const post = (path: string, body: unknown) =>
      fetch(`${emulator?.url ?? ''}${path}`, { method: 'POST', body: JSON.stringify(body) });
    await post('/__emulator/faults', { endpoint: 'notify', kind: 'drop', count: 1 });
    await post('/__emulator/notify-settings', { duplicates: 2 });
    await placeAndPay(emulator, receiver.url);
    const handle = emulator;
    await waitUntil(() => handle.notifies().some((entry) => entry.ok) && handle.pendingNotifies() === 0);
    const log = handle.notifies();
    // Attempt 1: the original was dropped, its 2 duplicates arrived (SUCCESS), so no retry.
    expect(log.filter((entry) => entry.dropped)).toHaveLength(1);
    expect(log.filter((entry) => entry.duplicate)).toHaveLength(2);
    expect(receiver.bodies).toHaveLength(2);
  });

  it('resends the pay notify on request', async () => {
    emulator = await startWechatEmulator({ port: 0, notifyTimeScale: TIME_SCALE });
    receiver = await startNotifyReceiver();
    await placeAndPay(emulator, receiver.url);
    const handle = emulator;
    await waitUntil(() => handle.pendingNotifies() === 0 && handle.notifies().length === 1);
    const response = await fetch(`${handle.url}/__emulator/notifies/N1/resend`, {
      method: 'POST',
      body: '{}',
    });
    expect(await response.json()).toMatchObject({ resend: true, ok: true, outTradeNo: 'N1' });
    expect(receiver.bodies).toHaveLength(2);
  });

  it('counts a receiver that never answers as failed after the request timeout', async () => {
    emulator = await startWechatEmulator({ port: 0, notifyTimeScale: 1, notifyRequestTimeoutMs: 100 });
    receiver = await startNotifyReceiver();
    const { createServer } = await import('node:http');
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await placeAndPay(emulator, `http://127.0.0.1:${port}/notify`);
    const handle = emulator;
    await waitUntil(() => handle.notifies().length === 1);
    expect(handle.notifies()[0]).toMatchObject({ ok: false, status: null });
    expect(handle.notifies()[0]?.reply).toMatch(/timeout/i);
    await handle.close();
    silent.closeAllConnections();
    silent.close();
  });

  it('closes at once while a delivery is still waiting for a slow receiver', async () => {
    emulator = await startWechatEmulator({ port: 0, notifyRequestTimeoutMs: 60_000 });
    const { createServer } = await import('node:http');
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await placeAndPay(emulator, `http://127.0.0.1:${port}/notify`);
    const handle = emulator;
    await waitUntil(() => handle.pendingNotifies() > 0);
    // Without the abort, close() would wait for the 60 s request timeout and this test would time out.
    await handle.close();
    expect(handle.notifies()[0]).toMatchObject({ ok: false, status: null });
    silent.closeAllConnections();
    silent.close();
  });
});

describe('isSuccessReply', () => {
  it('accepts only well-formed xml whose return_code is SUCCESS', async () => {
    const { isSuccessReply } = await import('./notify-delivery');
    expect(isSuccessReply(SUCCESS_REPLY)).toBe(true);
    expect(isSuccessReply('<?xml version="1.0"?>\n<xml><return_code>SUCCESS</return_code></xml>')).toBe(true);
    expect(isSuccessReply(FAIL_REPLY)).toBe(false);
    expect(isSuccessReply('SUCCESS')).toBe(false);
    expect(isSuccessReply('{"return_code":"SUCCESS"}')).toBe(false);
    expect(isSuccessReply('<xml><return_code>SUCCESS</return_code>')).toBe(false);
    expect(isSuccessReply('<xml><return_code> SUCCESS </return_code></xml>')).toBe(false);
  });
});
