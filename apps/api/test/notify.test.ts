import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import type { OrderStatus } from '@wxh5/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { parseConfig } from '../src/config';
import { createDeps, type DepsHandle } from '../src/create-deps';
import {
  TEST_POSTGRES_URL,
  randomSuffix,
  startEmulator,
  startTestApi,
  testEnv,
  type TestApi,
  type TestEmulator,
} from './support';
import { buildPayNotify, insertOrder, notificationsFor, orderRow, postXml, testTradeNo } from './pay-kit';

const OTHER_KEY = 'OtherPayKey0123456789abcdefABCDEF';
const CALLBACK = '/api/wechat/pay/callback';

let emulator: TestEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

describe.each(['sqlite', 'postgres'] as const)('the pay notify on %s', (database) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ emulatorUrl: emulator.url, database });
  });
  afterAll(async () => {
    await api.close();
  });

  async function newOrder(amountFen = 1000, status: OrderStatus = 'PENDING'): Promise<string> {
    const outTradeNo = testTradeNo();
    await insertOrder(api.deps.db, { outTradeNo, amountFen, status });
    return outTradeNo;
  }

  it('accepts a valid notify: SUCCESS in XML, the order PAID, the notify recorded as accepted', async () => {
    const outTradeNo = await newOrder(1000);
    const body = buildPayNotify({
      outTradeNo,
      totalFee: 1000,
      transactionId: '4200000001202611240000000001',
    });
    const answer = await postXml(`${api.url}${CALLBACK}`, body);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/xml/);
    expect(answer.text).toBe(
      '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>',
    );
    const row = await orderRow(api.deps.db, outTradeNo);
    expect(row).toMatchObject({ status: 'PAID', transaction_id: '4200000001202611240000000001' });
    expect(row?.paid_at).toEqual(expect.any(String));
    const records = await notificationsFor(api.deps.db, outTradeNo);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      kind: 'pay',
      verdict: 'accepted',
      raw_body: body,
      transaction_id: '4200000001202611240000000001',
    });
  });

  it('keeps the notify headers with its audit row: wechatpay-*, content-type and request ids, never cookies', async () => {
    const outTradeNo = await newOrder(1000);
    const body = buildPayNotify({
      outTradeNo,
      totalFee: 1000,
      transactionId: '4200000001202611240000000091',
    });
    const answer = await postXml(`${api.url}${CALLBACK}`, body, {
      'Wechatpay-Serial': 'PUB_KEY_ID_0000000001',
      'Wechatpay-Timestamp': '1764000000',
      'Request-ID': 'req-1',
      cookie: 'wxh5.sid=secret',
      'user-agent': 'Mozilla/4.0',
      'x-wechatpay-padding': 'x'.repeat(10),
    });
    expect(answer.returnCode).toBe('SUCCESS');
    const [record] = await notificationsFor(api.deps.db, outTradeNo);
    expect(JSON.parse(record?.headers ?? 'null')).toEqual({
      'content-type': 'text/xml',
      'request-id': 'req-1',
      'wechatpay-serial': 'PUB_KEY_ID_0000000001',
      'wechatpay-timestamp': '1764000000',
    });
  });

  it('records the headers of a refused notify too, each value bounded', async () => {
    const outTradeNo = await newOrder(1000);
    const body = buildPayNotify({ outTradeNo, totalFee: 999 });
    const answer = await postXml(`${api.url}${CALLBACK}`, body, { 'wechatpay-signature': 's'.repeat(5000) });
    expect(answer.returnCode).toBe('FAIL');
    const [record] = await notificationsFor(api.deps.db, outTradeNo);
    expect(record?.verdict).toBe('amount_mismatch');
    expect(JSON.parse(record?.headers ?? 'null')).toEqual({
      'content-type': 'text/xml',
      'wechatpay-signature': 's'.repeat(1024),
    });
  });

  it('answers SUCCESS to a replay of the same transaction and changes nothing', async () => {
    const outTradeNo = await newOrder(700);
    const body = buildPayNotify({ outTradeNo, totalFee: 700, transactionId: '4200000001202611240000000002' });
    expect((await postXml(`${api.url}${CALLBACK}`, body)).returnCode).toBe('SUCCESS');
    const paid = await orderRow(api.deps.db, outTradeNo);
    const replay = await postXml(
      `${api.url}${CALLBACK}`,
      buildPayNotify({ outTradeNo, totalFee: 700, transactionId: '4200000001202611240000000002' }),
    );
    expect(replay.returnCode).toBe('SUCCESS');
    expect(await orderRow(api.deps.db, outTradeNo)).toEqual(paid);
    expect((await notificationsFor(api.deps.db, outTradeNo)).map((r) => r.verdict)).toEqual([
      'accepted',
      'duplicate',
    ]);
  });

  it('refuses a second, different transaction for a paid order with FAIL and keeps the first', async () => {
    const outTradeNo = await newOrder(800);
    await postXml(
      `${api.url}${CALLBACK}`,
      buildPayNotify({ outTradeNo, totalFee: 800, transactionId: '4200000001202611240000000003' }),
    );
    const other = await postXml(
      `${api.url}${CALLBACK}`,
      buildPayNotify({ outTradeNo, totalFee: 800, transactionId: '4200000001202611240000000004' }),
    );
    expect(other.returnCode).toBe('FAIL');
    expect((await orderRow(api.deps.db, outTradeNo))?.transaction_id).toBe('4200000001202611240000000003');
    expect((await notificationsFor(api.deps.db, outTradeNo)).map((r) => r.verdict)).toEqual([
      'accepted',
      'conflict',
    ]);
  });

  it('keeps money that arrives for a CLOSED order: CLOSED → PAID', async () => {
    const outTradeNo = await newOrder(900, 'CLOSED');
    const answer = await postXml(`${api.url}${CALLBACK}`, buildPayNotify({ outTradeNo, totalFee: 900 }));
    expect(answer.returnCode).toBe('SUCCESS');
    expect((await orderRow(api.deps.db, outTradeNo))?.status).toBe('PAID');
    expect((await notificationsFor(api.deps.db, outTradeNo))[0]?.verdict).toBe('paid_after_close');
  });

  it('acknowledges a verified result_code=FAIL notify without touching the order', async () => {
    const outTradeNo = await newOrder(300);
    const answer = await postXml(
      `${api.url}${CALLBACK}`,
      buildPayNotify({
        outTradeNo,
        totalFee: 300,
        fields: { result_code: 'FAIL', err_code: 'NOTENOUGH', err_code_des: '余额不足' },
      }),
    );
    expect(answer.returnCode).toBe('SUCCESS');
    expect((await orderRow(api.deps.db, outTradeNo))?.status).toBe('PENDING');
    expect((await notificationsFor(api.deps.db, outTradeNo))[0]?.verdict).toBe('result_fail');
  });

  type Forgery = [name: string, verdict: string, make: (outTradeNo: string) => string];
  const forgeries: Forgery[] = [
    [
      'signed with another key',
      'bad_signature',
      (o) => buildPayNotify({ outTradeNo: o, totalFee: 1000, key: OTHER_KEY }),
    ],
    [
      'whose total_fee was changed after signing',
      'bad_signature',
      (o) =>
        buildPayNotify({ outTradeNo: o, totalFee: 1000 }).replace(
          '<total_fee>1000</total_fee>',
          '<total_fee>1</total_fee>',
        ),
    ],
    [
      'correctly signed for another amount',
      'amount_mismatch',
      (o) => buildPayNotify({ outTradeNo: o, totalFee: 1 }),
    ],
    [
      'for another appid',
      'wrong_appid',
      (o) => buildPayNotify({ outTradeNo: o, totalFee: 1000, fields: { appid: 'wx0000000000000000' } }),
    ],
    [
      'for another mch_id',
      'wrong_mch_id',
      (o) => buildPayNotify({ outTradeNo: o, totalFee: 1000, fields: { mch_id: '1900000999' } }),
    ],
    [
      'for an unknown order',
      'unknown_order',
      () => buildPayNotify({ outTradeNo: 'NoSuchOrder123', totalFee: 1000 }),
    ],
    [
      'MD5-signed (no sign_type) while the order uses HMAC-SHA256',
      'sign_type_mismatch',
      (o) => buildPayNotify({ outTradeNo: o, totalFee: 1000, signType: 'MD5', declareSignType: false }),
    ],
    [
      'MD5-signed with sign_type=MD5 while the order uses HMAC-SHA256',
      'sign_type_mismatch',
      (o) => buildPayNotify({ outTradeNo: o, totalFee: 1000, signType: 'MD5', declareSignType: true }),
    ],
    [
      'whose sign_type says MD5 but whose sign is an HMAC',
      'bad_signature',
      (o) => {
        const hmac = buildPayNotify({
          outTradeNo: o,
          totalFee: 1000,
          signType: 'HMAC-SHA256',
          declareSignType: false,
        });
        return hmac.replace('<xml>', '<xml><sign_type><![CDATA[MD5]]></sign_type>');
      },
    ],
    [
      'with an unknown sign_type',
      'bad_sign_type',
      (o) => buildPayNotify({ outTradeNo: o, totalFee: 1000, fields: { sign_type: 'SHA1' } }),
    ],
    ['without a sign', 'missing_sign', (o) => buildPayNotify({ outTradeNo: o, totalFee: 1000, sign: null })],
    [
      'with return_code FAIL',
      'return_fail',
      (o) => buildPayNotify({ outTradeNo: o, totalFee: 1000, fields: { return_code: 'FAIL' } }),
    ],
    [
      'carrying a DOCTYPE',
      'doctype',
      (o) => `<!DOCTYPE xml>${buildPayNotify({ outTradeNo: o, totalFee: 1000 })}`,
    ],
    [
      'declaring an entity',
      'entity',
      (o) => `<!DOCTYPE xml [<!ENTITY x "1000">]>${buildPayNotify({ outTradeNo: o, totalFee: 1000 })}`,
    ],
    ['that is not XML', 'xml_not_well_formed', () => '{"return_code":"SUCCESS"}'],
    ['that is empty', 'xml_empty', () => ''],
  ];

  it.each(forgeries)(
    'refuses a notify %s with XML FAIL, records it, and leaves the order PENDING',
    async (_name, verdict, make) => {
      const outTradeNo = await newOrder(1000);
      const body = make(outTradeNo);
      const answer = await postXml(`${api.url}${CALLBACK}`, body);
      expect(answer.status).toBe(200);
      expect(answer.contentType).toMatch(/^text\/xml/);
      expect(answer.returnCode).toBe('FAIL');
      expect(await orderRow(api.deps.db, outTradeNo)).toMatchObject({
        status: 'PENDING',
        transaction_id: null,
      });
      const recorded = await api.deps.db
        .selectFrom('pay_notifications')
        .selectAll()
        .where('raw_body', '=', body)
        .execute();
      expect(recorded.map((r) => r.verdict)).toEqual([verdict]);
    },
  );

  it('refuses a notify body over 64 KB with XML FAIL and records it', async () => {
    const outTradeNo = await newOrder(1000);
    const body = buildPayNotify({ outTradeNo, totalFee: 1000, fields: { attach: 'a'.repeat(70 * 1024) } });
    const answer = await postXml(`${api.url}${CALLBACK}`, body);
    expect(answer.status).toBe(413);
    expect(answer.returnCode).toBe('FAIL');
    expect((await orderRow(api.deps.db, outTradeNo))?.status).toBe('PENDING');
    const tooLarge = await api.deps.db
      .selectFrom('pay_notifications')
      .select('verdict')
      .where('verdict', '=', 'too_large')
      .execute();
    expect(tooLarge.length).toBeGreaterThan(0);
  });

  it('refuses a body that is not UTF-8 with XML FAIL and records it', async () => {
    const response = await fetch(`${api.url}${CALLBACK}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: new Uint8Array([0x3c, 0x78, 0x6d, 0x6c, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x78, 0x6d, 0x6c, 0x3e]),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(await response.text()).toContain('<return_code><![CDATA[FAIL]]></return_code>');
    const recorded = await api.deps.db
      .selectFrom('pay_notifications')
      .select('verdict')
      .where('verdict', '=', 'not_utf8')
      .execute();
    expect(recorded.length).toBeGreaterThan(0);
  });

  it('turns 50 concurrent copies of one notify into exactly one PENDING → PAID, answering each SUCCESS', async () => {
    const outTradeNo = await newOrder(4321);
    const body = buildPayNotify({
      outTradeNo,
      totalFee: 4321,
      transactionId: '4200000001202611240000000050',
    });
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => postXml(`${api.url}${CALLBACK}`, body)),
    );
    expect(answers.map((a) => a.returnCode)).toEqual(Array.from({ length: 50 }, () => 'SUCCESS'));
    const verdicts = (await notificationsFor(api.deps.db, outTradeNo)).map((r) => r.verdict);
    expect(verdicts).toHaveLength(50);
    expect(verdicts.filter((v) => v === 'accepted')).toHaveLength(1);
    expect(verdicts.filter((v) => v === 'duplicate')).toHaveLength(49);
    expect(await orderRow(api.deps.db, outTradeNo)).toMatchObject({
      status: 'PAID',
      transaction_id: '4200000001202611240000000050',
    });
  }, 30_000); // 50 requests + 50 audit rows: a generous limit for a loaded box, not a speed check
});

describe('the pay notify under an MD5 merchant configuration', () => {
  it('refuses an HMAC-signed notify for an MD5 order with FAIL (sign_type_mismatch)', async () => {
    const api = await startTestApi({ emulatorUrl: emulator.url, env: { WECHAT_PAY_SIGN_TYPE: 'MD5' } });
    try {
      const outTradeNo = testTradeNo();
      await insertOrder(api.deps.db, { outTradeNo, amountFen: 50, signType: 'MD5' });
      const hmac = await postXml(
        `${api.url}${CALLBACK}`,
        buildPayNotify({ outTradeNo, totalFee: 50, signType: 'HMAC-SHA256' }),
      );
      expect(hmac.returnCode).toBe('FAIL');
      expect((await orderRow(api.deps.db, outTradeNo))?.status).toBe('PENDING');
      expect((await notificationsFor(api.deps.db, outTradeNo)).map((r) => r.verdict)).toEqual([
        'sign_type_mismatch',
      ]);
      const md5 = await postXml(
        `${api.url}${CALLBACK}`,
        buildPayNotify({ outTradeNo, totalFee: 50, signType: 'MD5' }),
      );
      expect(md5.returnCode).toBe('SUCCESS');
      expect((await orderRow(api.deps.db, outTradeNo))?.status).toBe('PAID');
    } finally {
      await api.close();
    }
  });
});

describe('the pay notify when the database fails', () => {
  it('answers XML FAIL (never a 500 page, never SUCCESS) when nothing can be stored', async () => {
    const api = await startTestApi({ emulatorUrl: emulator.url });
    try {
      const outTradeNo = testTradeNo();
      await insertOrder(api.deps.db, { outTradeNo, amountFen: 10 });
      await api.deps.db.destroy();
      const answer = await postXml(`${api.url}${CALLBACK}`, buildPayNotify({ outTradeNo, totalFee: 10 }));
      expect(answer.status).toBe(200);
      expect(answer.contentType).toMatch(/^text\/xml/);
      expect(answer.returnCode).toBe('FAIL');
    } finally {
      await api.close();
    }
  });
});

describe('the pay notify across three api instances sharing one PostgreSQL', () => {
  const schema = `api_fleet_${randomSuffix()}`;
  const handles: DepsHandle[] = [];
  const servers: Server[] = [];
  const urls: string[] = [];

  async function pgQuery(text: string): Promise<void> {
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    await pgQuery(`create schema "${schema}"`);
    for (let i = 0; i < 3; i += 1) {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const config = parseConfig(
        testEnv({ emulatorUrl: emulator.url, publicBaseUrl: url, databaseUrl: TEST_POSTGRES_URL }),
      );
      const handle = await createDeps(config, { databaseSchema: schema, cacheNamespace: `fleet-${schema}` });
      const handler = createApp(handle.deps).callback();
      server.on('request', (req, res) => {
        void handler(req, res);
      });
      handles.push(handle);
      servers.push(server);
      urls.push(url);
    }
  });
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    for (const handle of handles) await handle.close();
    await pgQuery(`drop schema if exists "${schema}" cascade`);
  });

  it('moves the order once when 50 copies of a notify hit three instances at once', async () => {
    const db = handles[0]!.deps.db;
    const outTradeNo = testTradeNo('F');
    await insertOrder(db, { outTradeNo, amountFen: 9999 });
    const body = buildPayNotify({
      outTradeNo,
      totalFee: 9999,
      transactionId: '4200000001202611240000000099',
    });
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => postXml(`${urls[i % 3]!}${CALLBACK}`, body)),
    );
    expect(answers.every((a) => a.returnCode === 'SUCCESS')).toBe(true);
    const verdicts = (await notificationsFor(db, outTradeNo)).map((r) => r.verdict);
    expect(verdicts.filter((v) => v === 'accepted')).toHaveLength(1);
    expect(verdicts.filter((v) => v === 'duplicate')).toHaveLength(49);
    expect(await orderRow(db, outTradeNo)).toMatchObject({
      status: 'PAID',
      transaction_id: '4200000001202611240000000099',
    });
  }, 30_000); // 50 requests across three instances: a generous limit for a loaded box, not a speed check
});
