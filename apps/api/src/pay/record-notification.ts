import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { precompile } from '../store/database';
import { batchedWritesOf, type NotificationRow } from './batched-writes';
import { isoAt } from '../store/iso-at';
import type { Database } from '../store/schema';
import type { PayGateways } from '../wechat/pay/create-pay-gateways';
import { PAY_NOTICE_REJECTIONS, REFUND_NOTICE_REJECTIONS } from '../wechat/pay/pay-gateway';
import { recordRefusal } from './record-refusal';
import type {
  BodyVerdict,
  NotifyAcknowledgement,
  NotifyReply,
  PayNotifyVerdict,
  RefundNotifyVerdict,
} from '../wechat/pay/pay-gateway';

/** A notify as the route read it: the body (or why it was refused unread), the request headers, the sender. */
export interface ReceivedNotify {
  body:
    { ok: true; text: string } | { ok: false; reason: 'too_large' | 'not_utf8' | 'aborted'; prefix: string };
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The client address (ctx.ip); what an unverified refusal is counted by. */
  sourceIp?: string;
}

/** A notify handler: what was received → the reply for WeChat, in the format of the protocol that sent it. */
export type NotifyHandler = (notify: ReceivedNotify) => Promise<{ verdict: string; reply: NotifyReply }>;

export interface NotificationRecord {
  kind: 'pay' | 'refund';
  rawBody: string;
  /** The request headers as received; the audit row keeps a bounded selection of them (`auditHeaders`). */
  headers: ReceivedNotify['headers'];
  /** A NotifyVerdict or RefundAuditVerdict from the handlers; the audit column keeps any text. */
  verdict: string;
  outTradeNo: string | null;
  transactionId: string | null;
  receivedAt: string;
}

/** At most this many `wechatpay-*` headers, each value at most this long: a notify cannot grow its audit row. */
const MAX_WECHATPAY_HEADERS = 16;
const MAX_HEADER_VALUE_LENGTH = 1024;
/** Kept besides the `wechatpay-*` headers (a v3 notify's serial, signature, timestamp, nonce, signature type). */
const AUDITED_HEADERS = new Set(['content-type', 'request-id', 'x-request-id']);

/**
 * The headers an audit row keeps, as a JSON object with lower-cased names: `wechatpay-*` (what a v3 notify is
 * verified with), `content-type` and request ids — never cookies or anything else a caller sent. Values are
 * bounded; a repeated header is joined with ", ". Keys are sorted, so equal headers give equal text.
 */
export function auditHeaders(headers: ReceivedNotify['headers']): string {
  const kept: Record<string, string> = {};
  let wechatpay = 0;
  const names = [...new Set(Object.keys(headers).map((name) => name.toLowerCase()))].sort();
  for (const name of names) {
    const isWechatpay = name.startsWith('wechatpay-') && name.length <= 64;
    if (!isWechatpay && !AUDITED_HEADERS.has(name)) continue;
    if (isWechatpay && ++wechatpay > MAX_WECHATPAY_HEADERS) continue;
    const value = headerValue(headers, name);
    // JSON.stringify escapes control characters, so the text is safe for PostgreSQL's text type too.
    if (value !== undefined) kept[name] = value.slice(0, MAX_HEADER_VALUE_LENGTH);
  }
  return JSON.stringify(kept);
}

/** A header by its lower-cased name (Node lower-cases incoming names; a hand-built record may not). */
function headerValue(headers: ReceivedNotify['headers'], name: string): string | undefined {
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(entry) ? entry.join(', ') : entry;
}

/**
 * One row of the audit trail (pay_notifications): every verified notify and every reconciled change, accepted or
 * not, kept for good. Notifies refused before verification go through recordRefusal (bounded, pruned).
 */
export async function recordNotification(
  db: Kysely<Database> | Transaction<Database>,
  record: NotificationRecord,
): Promise<void> {
  const row = notificationRow(record);
  // Inside a PostgreSQL group-commit batch, one INSERT for the whole batch (batched-writes.ts).
  const batched = batchedWritesOf(db);
  if (batched) return batched.insertNotification(row);
  await insertNotification(db, {
    kind: row.kind,
    rawBody: row.raw_body,
    verdict: row.verdict,
    outTradeNo: row.out_trade_no,
    transactionId: row.transaction_id,
    receivedAt: row.received_at,
    headers: row.headers,
  });
}

/** The audit row of `record`, as stored (bounded, NUL-free). */
export function notificationRow(record: NotificationRecord): NotificationRow {
  return {
    kind: record.kind,
    // PostgreSQL text cannot hold NUL; keep the rest of the body byte-for-byte.
    raw_body: record.rawBody.replaceAll('\u0000', '\uFFFD'),
    verdict: record.verdict.slice(0, 64),
    out_trade_no: record.outTradeNo?.slice(0, 64) ?? null,
    transaction_id: record.transactionId?.slice(0, 64) ?? null,
    received_at: record.receivedAt,
    headers: auditHeaders(record.headers),
  };
}

/** The insert, compiled once (it runs for every notify). */
const insertNotification = precompile(
  ['kind', 'rawBody', 'verdict', 'outTradeNo', 'transactionId', 'receivedAt', 'headers'],
  (db, p) =>
    db.insertInto('pay_notifications').values({
      kind: p.kind,
      raw_body: p.rawBody,
      verdict: p.verdict,
      out_trade_no: p.outTradeNo,
      transaction_id: p.transactionId,
      received_at: p.receivedAt,
      headers: p.headers,
    }),
);

/** A handler's judgement of one notify; `committed` = its audit row was already written in its transaction. */
export interface JudgedNotify<V extends string> {
  verdict: V;
  outTradeNo?: string | undefined;
  transactionId?: string | undefined;
  committed?: boolean;
}

/**
 * The frame both notify routes share: the gateway is the one whose format the body is in (gateways.forNotify; the
 * current one for a body refused unread). A body refused before parsing (too large, not UTF-8, aborted) is a FAIL
 * with that reason; otherwise `judge` reads it through the gateway and decides, and an unexpected error is a FAIL
 * (WeChat retries). A judgement whose audit row was not written inside its transaction is recorded now — and an
 * acknowledgement that cannot be recorded becomes a FAIL, so nothing is acknowledged that is not stored.
 * `answers` (a `satisfies`-checked record in notify-verdicts.ts) turns each verdict into its answer; the gateway
 * renders it (`acknowledge`).
 */
type Kinds = { pay: PayNotifyVerdict; refund: RefundNotifyVerdict };

/** The verdicts given before a notify was verified: anybody can earn one, so their records are bounded. */
const UNVERIFIED: Record<'pay' | 'refund', ReadonlySet<string>> = {
  pay: new Set(Object.keys(PAY_NOTICE_REJECTIONS)),
  refund: new Set(Object.keys(REFUND_NOTICE_REJECTIONS)),
};

export function answerNotify<K extends keyof Kinds>(
  kind: K,
  deps: {
    db: Kysely<Database>;
    logger: Logger;
    now: () => number;
    gateways: PayGateways;
    /** Unverified refusals: how many per source and hour keep an audit row (the rest are counted). */
    refusalSamplesPerHour: number;
  },
  acknowledged: Record<Kinds[K], boolean>,
  judge: (
    gateway: ReturnType<PayGateways['forNotify']>,
    notify: { rawBody: string; headers: ReceivedNotify['headers'] },
  ) => Promise<JudgedNotify<Kinds[K]>>,
): NotifyHandler {
  type V = Kinds[K];
  const { db, logger, gateways } = deps;
  const answer = (verdict: V | BodyVerdict | 'internal_error') =>
    ({ kind, verdict, acknowledged: acknowledged[verdict] }) as NotifyAcknowledgement;
  async function decide(
    notify: ReceivedNotify,
    gateway: ReturnType<PayGateways['forNotify']>,
  ): Promise<NotifyAcknowledgement> {
    const { body } = notify;
    const receivedAt = isoAt(deps.now());
    let result: JudgedNotify<V | BodyVerdict | 'internal_error'>;
    if (!body.ok) {
      result = { verdict: body.reason };
    } else {
      try {
        result = await judge(gateway, { rawBody: body.text, headers: notify.headers });
      } catch (err) {
        logger.error({ err, kind }, 'notify failed unexpectedly; answering FAIL so WeChat retries');
        result = { verdict: 'internal_error' };
      }
    }
    const answered = answer(result.verdict);
    if (!result.committed && !answered.acknowledged && UNVERIFIED[kind].has(result.verdict)) {
      // Unverified: bounded evidence (recordRefusal). A refusal that cannot be recorded is still a refusal.
      try {
        await recordRefusal(
          db,
          {
            kind,
            sourceIp: notify.sourceIp ?? 'unknown',
            verdict: result.verdict,
            body: body.ok ? body.text : body.prefix,
            outTradeNo: result.outTradeNo ?? null,
            transactionId: result.transactionId ?? null,
            receivedAt,
            headers: auditHeaders(notify.headers),
          },
          { samplesPerHour: deps.refusalSamplesPerHour, logger },
        );
      } catch (err) {
        logger.error({ err, kind, verdict: result.verdict }, 'could not record a notify');
      }
      logger.warn({ kind, verdict: result.verdict, outTradeNo: result.outTradeNo }, 'notify refused');
    } else if (!result.committed) {
      try {
        await recordNotification(db, {
          kind,
          // A refused body is recorded by its prefix (see readRawBody).
          rawBody: body.ok ? body.text : body.prefix,
          headers: notify.headers,
          verdict: result.verdict,
          outTradeNo: result.outTradeNo ?? null,
          transactionId: result.transactionId ?? null,
          receivedAt,
        });
      } catch (err) {
        logger.error({ err, kind, verdict: result.verdict }, 'could not record a notify');
        if (answered.acknowledged) return answer('internal_error');
      }
      if (!answered.acknowledged) {
        logger.warn({ kind, verdict: result.verdict, outTradeNo: result.outTradeNo }, 'notify refused');
      }
    }
    return answered;
  }
  return async (notify) => {
    const gateway = gateways.forNotify({
      rawBody: notify.body.ok ? notify.body.text : '',
      headers: notify.headers,
    });
    const answered = await decide(notify, gateway);
    return { verdict: answered.verdict, reply: gateway.acknowledge(answered) };
  };
}
