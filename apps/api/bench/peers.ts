/**
 * The servers the app is measured against, each in its own process (forked by `bench/harness.ts`, never run by
 * hand), listening on 127.0.0.1:<argv[3]>:
 *
 *   argv[2] = JSON PeerSpec
 *
 * Ceilings (what a server doing nothing useful reaches on this machine):
 * - `bare-json`: Koa answering a small JSON envelope.
 * - `bare-xml`: Koa reading the notify body and answering WeChat's SUCCESS XML.
 * - `bare-v3`: Koa reading the notify body and answering v3's acknowledgement (200 `{"code":"SUCCESS"}`).
 * Peers (the least a correct server must do — no framework of ours, the same necessary work):
 * - `jssdk-koa`: Koa + @koa/router: check the page URL's origin, sign wx.config with a ticket held in memory
 *   (wechat-core's jssdkSignature, a CSPRNG nonce), answer the JSON envelope.
 * - `notify-koa`: Koa: read the body, wechat-core's parse + constant-time verify, appid/mch_id checks, then the
 *   app's own durable write (group commit: the conditional PENDING → PAID UPDATE and the audit INSERT in one
 *   transaction) and the reply after the commit.
 * - `notify-tenpay`: the `tenpay` SDK's Koa notify middleware (xml2js parse + its signature check) + the same write.
 * - `notify-v3-koa`: Koa: read the body, wechat-core's v3 verifier (the WeChat Pay public key, parsed once; ±300 s;
 *   SHA256withRSA over the raw bytes), JSON parse, AES-256-GCM decrypt of the resource, appid/mchid/trade_state
 *   checks, then the same durable write (scheme RSA) and v3's JSON acknowledgement after the commit.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import {
  buildXmlReply,
  createNonce,
  createWechatpayVerifier,
  decryptAeadAesGcm,
  jssdkSignature,
  loadWechatpayPublicKey,
  parseXml,
  readWechatpayHeaders,
  verifyV2,
  type AeadResource,
} from '@wxh5/wechat-core';
import { DEMO_KEY_FILES, DEMO_WECHATPAY_PUBLIC_KEY_ID } from '@wxh5/wechat-emulator';
import { Router } from '@koa/router';
import Koa from 'koa';
import pino from 'pino';
import Tenpay from 'tenpay';
import { createFastPay, payPendingIfMatches } from '../src/pay/apply-payment';
import { createGroupCommitter } from '../src/pay/group-commit';
import { readRawBody } from '../src/http/read-raw-body';
import { recordNotification } from '../src/pay/record-notification';
import { openDatabase, type DatabaseHandle } from '../src/store/database';
import { DEMO } from './bench-data';

export type PeerSpec =
  | { kind: 'bare-json' }
  | { kind: 'bare-xml' }
  | { kind: 'bare-v3' }
  | { kind: 'jssdk-koa'; allowedOrigin: string }
  | { kind: 'notify-koa'; databaseUrl: string }
  | { kind: 'notify-tenpay'; databaseUrl: string }
  | { kind: 'notify-v3-koa'; databaseUrl: string };

const silent = pino({ level: 'silent' });

/** A verified payment, as the write needs it. */
interface PaidFact {
  outTradeNo: string;
  transactionId: string;
  amountFen: number;
  signScheme: string;
}

/**
 * The app's durable write for a verified notify, as the app makes it: the fast path (createFastPay: transition +
 * audit row, one group-committed transaction on SQLite, one batched statement on PostgreSQL), and if that moved
 * nothing the long way in the group commit (the conditional transition + the audit row of what happened).
 */
function createNotifyWriter(handle: DatabaseHandle) {
  const committer = createGroupCommitter(handle.db);
  const fastPay = createFastPay(handle.db, committer, silent);
  return async (
    paid: PaidFact,
    rawBody: string,
    headers: Readonly<Record<string, string | string[] | undefined>>,
  ): Promise<boolean> => {
    const { outTradeNo, transactionId } = paid;
    const now = new Date().toISOString();
    const fact = { outTradeNo, transactionId, paidAt: now, now, source: 'notify' };
    const guard = { amountFen: paid.amountFen, signScheme: paid.signScheme };
    const record = (verdict: string) => ({
      kind: 'pay' as const,
      rawBody,
      headers,
      verdict,
      outTradeNo,
      transactionId,
      receivedAt: now,
    });
    if (await fastPay({ ...fact, ...guard }, record('accepted'))) return true;
    return committer.run(outTradeNo, async (trx) => {
      const moved = await payPendingIfMatches(trx, fact, guard, silent);
      await recordNotification(trx, record(moved ? 'accepted' : 'not_moved'));
      return moved;
    });
  };
}

/** The v2 fields as the write needs them. */
const v2Paid = (fields: Record<string, string | undefined>): PaidFact => ({
  outTradeNo: fields['out_trade_no'] ?? '',
  transactionId: fields['transaction_id'] ?? '',
  amountFen: Number(fields['total_fee']),
  signScheme: fields['sign_type'] ?? 'MD5',
});

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function createPeer(spec: PeerSpec): { app: Koa; close: () => Promise<void> } {
  const app = new Koa();
  const success = buildXmlReply('SUCCESS');
  switch (spec.kind) {
    case 'bare-json':
      app.use((ctx) => {
        ctx.body = { code: 0, data: { hello: 'world' } };
      });
      return { app, close: () => Promise.resolve() };
    case 'bare-xml':
      app.use(async (ctx) => {
        await readRawBody(ctx.req);
        ctx.type = 'text/xml';
        ctx.body = success;
      });
      return { app, close: () => Promise.resolve() };
    case 'bare-v3':
      app.use(async (ctx) => {
        await readRawBody(ctx.req);
        ctx.body = { code: 'SUCCESS' };
      });
      return { app, close: () => Promise.resolve() };
    case 'jssdk-koa': {
      const router = new Router();
      const ticket = 'bench-jsapi-ticket-0123456789abcdefghijklmnopqrstuvwxyz';
      router.get('/api/wechat/jssdk', (ctx) => {
        const raw = ctx.query['url'];
        let page: URL | undefined;
        try {
          page = typeof raw === 'string' ? new URL(raw) : undefined;
        } catch {
          page = undefined;
        }
        if (!page || page.origin !== spec.allowedOrigin) {
          ctx.status = 400;
          ctx.body = { code: 'invalid_url' };
          return;
        }
        const url = (raw as string).split('#')[0] as string;
        const nonceStr = createNonce(16);
        const timestamp = Math.floor(Date.now() / 1000);
        ctx.set('Cache-Control', 'no-store');
        ctx.body = {
          code: 0,
          data: {
            appId: DEMO.appId,
            timestamp,
            nonceStr,
            signature: jssdkSignature({ jsapi_ticket: ticket, noncestr: nonceStr, timestamp, url }),
            jsApiList: ['updateAppMessageShareData', 'updateTimelineShareData', 'chooseWXPay'],
          },
        };
      });
      app.use(router.routes());
      return { app, close: () => Promise.resolve() };
    }
    case 'notify-koa': {
      const handle = openDatabase(spec.databaseUrl);
      const write = createNotifyWriter(handle);
      app.use(async (ctx) => {
        const body = await readRawBody(ctx.req);
        ctx.type = 'text/xml';
        let fields: Record<string, string>;
        try {
          if (!body.ok) throw new Error(body.reason);
          fields = parseXml(body.text);
        } catch {
          ctx.body = buildXmlReply('FAIL', 'invalid XML');
          return;
        }
        const signType = fields['sign_type'] === 'HMAC-SHA256' ? 'HMAC-SHA256' : 'MD5';
        if (
          !verifyV2(fields, DEMO.payKey, signType) ||
          fields['appid'] !== DEMO.appId ||
          fields['mch_id'] !== DEMO.mchId
        ) {
          ctx.body = buildXmlReply('FAIL', 'signature mismatch');
          return;
        }
        await write(v2Paid(fields), body.text, ctx.headers);
        ctx.body = success;
      });
      return { app, close: () => handle.close() };
    }
    case 'notify-tenpay': {
      const handle = openDatabase(spec.databaseUrl);
      const write = createNotifyWriter(handle);
      const tenpay = new Tenpay({ appid: DEMO.appId, mchid: DEMO.mchId, partnerKey: DEMO.payKey });
      app.use(async (ctx, next) => {
        const body = await readRawBody(ctx.req);
        ctx.request.body = body.ok ? body.text : undefined;
        await next();
      });
      app.use(tenpay.middleware('pay'));
      app.use(async (ctx) => {
        const fields = (ctx.request as unknown as { weixin: Record<string, string> }).weixin;
        await write(v2Paid(fields), ctx.request.body as string, ctx.headers);
        (ctx as unknown as { reply: (message?: string) => void }).reply();
      });
      return { app, close: () => handle.close() };
    }
    case 'notify-v3-koa': {
      const handle = openDatabase(spec.databaseUrl);
      const write = createNotifyWriter(handle);
      const verifier = createWechatpayVerifier({
        publicKey: {
          id: DEMO_WECHATPAY_PUBLIC_KEY_ID,
          key: loadWechatpayPublicKey(readFileSync(DEMO_KEY_FILES.wechatpayPublicKey, 'utf8')),
        },
      });
      const refuse = (ctx: Koa.Context, status: number, message: string) => {
        ctx.status = status;
        ctx.body = { code: 'FAIL', message };
      };
      app.use(async (ctx) => {
        const body = await readRawBody(ctx.req);
        if (!body.ok) return refuse(ctx, 400, body.reason);
        try {
          verifier.verify(readWechatpayHeaders(ctx.headers, body.text));
        } catch {
          return refuse(ctx, 401, 'signature');
        }
        let transaction: Json;
        try {
          const envelope = JSON.parse(body.text) as Json;
          const plaintext = JSON.parse(
            decryptAeadAesGcm(envelope['resource'] as AeadResource, DEMO.apiV3Key),
          ) as unknown;
          if (!isObject(plaintext)) throw new Error('not an object');
          transaction = plaintext;
        } catch {
          return refuse(ctx, 400, 'resource');
        }
        const amount = isObject(transaction['amount']) ? transaction['amount'] : {};
        if (
          transaction['appid'] !== DEMO.appId ||
          transaction['mchid'] !== DEMO.mchId ||
          transaction['trade_state'] !== 'SUCCESS' ||
          typeof transaction['out_trade_no'] !== 'string' ||
          typeof transaction['transaction_id'] !== 'string' ||
          typeof amount['total'] !== 'number'
        ) {
          return refuse(ctx, 400, 'transaction');
        }
        await write(
          {
            outTradeNo: transaction['out_trade_no'],
            transactionId: transaction['transaction_id'],
            amountFen: amount['total'],
            signScheme: 'RSA',
          },
          body.text,
          ctx.headers,
        );
        ctx.body = { code: 'SUCCESS' };
      });
      return { app, close: () => handle.close() };
    }
  }
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as PeerSpec;
  const port = Number(process.argv[3]);
  const { app, close } = createPeer(spec);
  const callback = app.callback();
  const server = createServer((req, res) => void callback(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const stop = () => {
    server.closeAllConnections();
    server.close(() => {
      void close().finally(() => process.exit(0));
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
