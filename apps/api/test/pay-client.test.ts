import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildXml, parseXml, signV2, verifyV2, type SignType } from '@wxh5/wechat-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPayClient, type PayClient } from '../src/wechat/pay/v2/pay-client';
import {
  WechatBadResponseError,
  WechatRefusedError,
  WechatUnavailableError,
} from '../src/shared/wechat-error';
import { DEMO } from './pay-kit';

/**
 * The v2 client against a scripted WeChat on a real socket: each test queues the answers; the server records the
 * raw request bodies so retries can be compared byte for byte.
 */
type Script = (request: Record<string, string>) => { status?: number; body: string };

let server: Server;
let baseUrl: string;
let script: Script[] = [];
let received: string[] = [];

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void readBody(req).then((body) => {
      received.push(body);
      const next = script.shift();
      if (!next) {
        res.statusCode = 500;
        res.end('no script');
        return;
      }
      const answer = next(parseXml(body));
      res.statusCode = answer.status ?? 200;
      res.setHeader('content-type', 'text/xml');
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  script = [];
  received = [];
});

function client(signType: SignType = 'HMAC-SHA256'): PayClient {
  return createPayClient({
    appId: DEMO.appId,
    mchId: DEMO.mchId,
    key: DEMO.payKey,
    signType,
    baseUrl,
    timeoutMs: 1000,
    retryDelayMs: 1,
  });
}

/** A signed SUCCESS/SUCCESS answer, like WeChat's. */
function ok(
  fields: Record<string, string | number>,
  signType: SignType = 'HMAC-SHA256',
  key: string = DEMO.payKey,
): Script {
  return () => {
    const body = {
      return_code: 'SUCCESS',
      return_msg: 'OK',
      appid: DEMO.appId,
      mch_id: DEMO.mchId,
      nonce_str: 'n0nce',
      result_code: 'SUCCESS',
      ...fields,
    };
    return { body: buildXml({ ...body, sign: signV2(body, key, signType) }) };
  };
}

function businessFail(errCode: string): Script {
  return ok({ result_code: 'FAIL', err_code: errCode, err_code_des: 'x' });
}

const ORDER = {
  outTradeNo: '20261124000000000abcdefghijklmno',
  amountFen: 100,
  description: 'test',
  openId: 'oUser',
  clientIp: '127.0.0.1',
  notifyUrl: 'https://m.example.com/api/wechat/pay/callback',
  timeStart: '20261124120000',
  timeExpire: '20261124123000',
};

describe('the WeChat Pay v2 client', () => {
  it.each<SignType>(['HMAC-SHA256', 'MD5'])(
    'signs requests with %s, sends sign_type, and reads a verified answer',
    async (signType) => {
      script.push(ok({ trade_type: 'JSAPI', prepay_id: 'wx123' }, signType));
      const result = await client(signType).unifiedOrder(ORDER);
      expect(result.prepayId).toBe('wx123');
      const sent = parseXml(received[0]);
      expect(sent).toMatchObject({
        sign_type: signType,
        total_fee: '100',
        out_trade_no: ORDER.outTradeNo,
        trade_type: 'JSAPI',
        openid: 'oUser',
      });
      expect(verifyV2(sent, DEMO.payKey, signType)).toBe(true);
    },
  );

  it('treats a response with a bad signature as an error, never as data', async () => {
    script.push(
      ok({ trade_type: 'JSAPI', prepay_id: 'wxForged' }, 'HMAC-SHA256', 'OtherPayKey0123456789abcdefABCDEF'),
    );
    await expect(client().unifiedOrder(ORDER)).rejects.toBeInstanceOf(WechatBadResponseError);
    expect(received).toHaveLength(1);
  });

  it('treats a response without a signature as an error', async () => {
    script.push(() => ({
      body: buildXml({
        return_code: 'SUCCESS',
        return_msg: 'OK',
        appid: DEMO.appId,
        mch_id: DEMO.mchId,
        result_code: 'SUCCESS',
        prepay_id: 'wx1',
      }),
    }));
    await expect(client().unifiedOrder(ORDER)).rejects.toBeInstanceOf(WechatBadResponseError);
  });

  it('treats a correctly signed response for another merchant as an error', async () => {
    script.push(ok({ mch_id: '1900000999', prepay_id: 'wx1' }));
    await expect(client().unifiedOrder(ORDER)).rejects.toBeInstanceOf(WechatBadResponseError);
  });

  it("reports return_code=FAIL as a protocol error with WeChat's message, without retrying it", async () => {
    script.push(() => ({ body: buildXml({ return_code: 'FAIL', return_msg: '签名错误，请检查后再试' }) }));
    const error = await client()
      .orderQuery(ORDER.outTradeNo)
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(WechatRefusedError);
    expect((error as WechatRefusedError).detail).toBe('签名错误，请检查后再试');
    expect(received).toHaveLength(1);
  });

  it('reports result_code=FAIL as a business error with its err_code, without retrying it', async () => {
    script.push(businessFail('ORDERPAID'));
    const error = await client()
      .closeOrder(ORDER.outTradeNo)
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(WechatRefusedError);
    expect((error as WechatRefusedError).code).toBe('ORDERPAID');
    expect(received).toHaveLength(1);
  });

  it('retries HTTP 5xx, "system busy" and SYSTEMERROR with the very same request body', async () => {
    script.push(() => ({ status: 502, body: 'bad gateway' }));
    script.push(() => ({ body: buildXml({ return_code: 'FAIL', return_msg: '系统繁忙,请稍后再试' }) }));
    script.push(businessFail('SYSTEMERROR'));
    await expect(client().unifiedOrder(ORDER)).rejects.toBeInstanceOf(WechatUnavailableError);
    expect(received).toHaveLength(3);
    expect(new Set(received).size).toBe(1);
  });

  it('succeeds when a retry gets through', async () => {
    script.push(businessFail('SYSTEMERROR'));
    script.push(
      ok({
        trade_state: 'SUCCESS',
        out_trade_no: ORDER.outTradeNo,
        transaction_id: '4200',
        total_fee: 100,
        time_end: '20261124120500',
      }),
    );
    const result = await client().orderQuery(ORDER.outTradeNo);
    expect(result).toMatchObject({ tradeState: 'SUCCESS', transactionId: '4200', amountFen: 100 });
    expect(received).toHaveLength(2);
  });

  it('gives up on an unreachable host with WechatUnavailableError', async () => {
    const dead = createPayClient({
      appId: DEMO.appId,
      mchId: DEMO.mchId,
      key: DEMO.payKey,
      signType: 'MD5',
      baseUrl: 'http://127.0.0.1:1',
      timeoutMs: 500,
      maxAttempts: 2,
      retryDelayMs: 1,
    });
    const error = await dead.orderQuery('x1').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(WechatUnavailableError);
    expect((error as WechatUnavailableError).attempts).toBe(2);
  });

  it('reads refundquery answers item by item', async () => {
    script.push(
      ok({
        refund_count: 1,
        out_refund_no_0: 'R1',
        refund_id_0: '5030',
        refund_fee_0: 50,
        refund_status_0: 'SUCCESS',
      }),
    );
    expect(await client().refundQuery('R1')).toEqual([
      { outRefundNo: 'R1', refundId: '5030', refundFen: 50, refundStatus: 'SUCCESS' },
    ]);
  });
});
