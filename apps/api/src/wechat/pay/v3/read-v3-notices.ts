import {
  AeadDecryptError,
  V3SignatureError,
  decryptAeadAesGcm,
  readWechatpayHeaders,
  type AeadResource,
  type V3SignatureErrorReason,
  type WechatpayVerifier,
} from '@wxh5/wechat-core';
import type {
  NoticeIds,
  NoticeReading,
  NotifyRequest,
  PayNotice,
  PayNoticeRejection,
  RefundNotice,
  RefundNoticeRejection,
  RefundOutcome,
  SignedNoticeRejection,
} from '../pay-gateway';

/** The verifier's refusals as verdicts (stable values: they are in the audit trail). */
const SIGNATURE_VERDICTS = {
  missing_header: 'missing_signature_headers',
  bad_timestamp: 'bad_timestamp',
  stale_timestamp: 'stale_timestamp',
  unknown_serial: 'unknown_serial',
  signature_probe: 'signature_probe',
  bad_signature: 'bad_signature',
} as const satisfies Record<V3SignatureErrorReason, SignedNoticeRejection>;

/** v3 `refund_status` → the outcome it means; PROCESSING is none yet. */
export type V3RefundStatus = 'SUCCESS' | 'CLOSED' | 'ABNORMAL' | 'PROCESSING';
export const V3_REFUND_OUTCOMES = {
  SUCCESS: 'SUCCESS',
  CLOSED: 'CLOSED',
  ABNORMAL: 'ABNORMAL',
  PROCESSING: undefined,
} as const satisfies Record<V3RefundStatus, RefundOutcome | undefined>;

export function refundOutcomeOf(status: unknown): RefundOutcome | undefined {
  return typeof status === 'string' && Object.hasOwn(V3_REFUND_OUTCOMES, status)
    ? V3_REFUND_OUTCOMES[status as V3RefundStatus]
    : undefined;
}

export interface V3NoticeOptions {
  appId: string;
  mchId: string;
  apiV3Key: string;
  /** The verifier of the moment (with `auto` certificates it may download them first). */
  verifier: () => Promise<WechatpayVerifier>;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
const fen = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;

type Opened<R> = { ok: true; eventType: string; plaintext: Json } | { ok: false; verdict: R };

/**
 * The part both notifies share (product.md §7 for v3): the signature over the RAW bytes first (headers, ±300 s,
 * probes refused, the key picked by `Wechatpay-Serial`) — nothing is parsed before that — then the JSON envelope,
 * then the resource decrypted with the APIv3 key (AES-256-GCM: a wrong key, nonce, associated data or a flipped
 * byte fails the tag) and parsed.
 */
async function open(
  options: V3NoticeOptions,
  notify: NotifyRequest,
): Promise<Opened<SignedNoticeRejection | 'json_not_well_formed' | 'json_wrong_shape'>> {
  const verifier = await options.verifier();
  try {
    verifier.verify(readWechatpayHeaders(notify.headers, notify.rawBody));
  } catch (err) {
    if (err instanceof V3SignatureError) return { ok: false, verdict: SIGNATURE_VERDICTS[err.reason] };
    throw err;
  }
  let envelope: unknown;
  try {
    envelope = JSON.parse(notify.rawBody);
  } catch {
    return { ok: false, verdict: 'json_not_well_formed' };
  }
  if (!isObject(envelope) || !isObject(envelope['resource']) || !str(envelope['event_type'])) {
    return { ok: false, verdict: 'json_wrong_shape' };
  }
  let plaintext: unknown;
  try {
    plaintext = JSON.parse(
      decryptAeadAesGcm(envelope['resource'] as unknown as AeadResource, options.apiV3Key),
    );
  } catch (err) {
    if (err instanceof AeadDecryptError || err instanceof SyntaxError)
      return { ok: false, verdict: 'bad_resource' };
    throw err;
  }
  if (!isObject(plaintext)) return { ok: false, verdict: 'bad_resource' };
  return { ok: true, eventType: envelope['event_type'] as string, plaintext };
}

/**
 * The v3 payment notify: verified, decrypted, then the Transaction inside checked — our appid and mchid, the ids
 * and the amount present. `TRANSACTION.SUCCESS` with `trade_state` SUCCESS is a payment; any other genuine event
 * moves nothing (acknowledged as `failed`). The business code then checks it against the order (amount, scheme).
 */
export async function readV3PayNotice(
  options: V3NoticeOptions,
  notify: NotifyRequest,
): Promise<NoticeReading<PayNotice, PayNoticeRejection>> {
  const opened = await open(options, notify);
  if (!opened.ok) return { ok: false, verdict: opened.verdict, ids: {} };
  const transaction = opened.plaintext;
  const outTradeNo = str(transaction['out_trade_no']);
  const transactionId = str(transaction['transaction_id']);
  const ids: NoticeIds = {
    ...(outTradeNo ? { outTradeNo: outTradeNo.slice(0, 64) } : {}),
    ...(transactionId ? { transactionId: transactionId.slice(0, 64) } : {}),
  };
  const reject = (verdict: PayNoticeRejection) => ({ ok: false as const, verdict, ids });
  if (transaction['appid'] !== options.appId) return reject('wrong_appid');
  if (transaction['mchid'] !== options.mchId) return reject('wrong_mch_id');
  if (opened.eventType !== 'TRANSACTION.SUCCESS' || transaction['trade_state'] !== 'SUCCESS') {
    return { ok: true, notice: { outcome: 'failed', ids } };
  }
  const amount = isObject(transaction['amount']) ? transaction['amount'] : {};
  const amountFen = fen(amount['total']);
  if (!outTradeNo || !transactionId || amountFen === undefined) return reject('missing_fields');
  const successTime = str(transaction['success_time']);
  const paidAtMs = successTime === undefined ? Number.NaN : Date.parse(successTime);
  const payer = isObject(transaction['payer']) ? transaction['payer'] : {};
  return {
    ok: true,
    notice: {
      outcome: 'paid',
      outTradeNo,
      transactionId,
      amountFen,
      paidAt: Number.isNaN(paidAtMs) ? undefined : new Date(paidAtMs).toISOString(),
      payerOpenId: str(payer['openid']),
      signScheme: 'RSA',
    },
  };
}

/**
 * The v3 refund notify (`REFUND.SUCCESS|ABNORMAL|CLOSED`): verified, decrypted, our mchid, the refund's ids and
 * amount present; `refund_status` (not `status`) says the outcome.
 */
export async function readV3RefundNotice(
  options: V3NoticeOptions,
  notify: NotifyRequest,
): Promise<NoticeReading<RefundNotice, RefundNoticeRejection>> {
  const opened = await open(options, notify);
  if (!opened.ok) return { ok: false, verdict: opened.verdict, ids: {} };
  const refund = opened.plaintext;
  const outRefundNo = str(refund['out_refund_no']);
  const outTradeNo = str(refund['out_trade_no']);
  const refundId = str(refund['refund_id']);
  const ids: NoticeIds = {
    ...(outTradeNo ? { outTradeNo: outTradeNo.slice(0, 64) } : {}),
    ...(refundId ? { transactionId: refundId.slice(0, 64) } : {}),
  };
  const reject = (verdict: RefundNoticeRejection) => ({ ok: false as const, verdict, ids });
  if (refund['mchid'] !== options.mchId) return reject('wrong_mch_id');
  const amount = isObject(refund['amount']) ? refund['amount'] : {};
  const amountFen = fen(amount['refund']);
  if (!outRefundNo || !outTradeNo || !str(refund['refund_status']) || amountFen === undefined) {
    return reject('missing_fields');
  }
  return {
    ok: true,
    notice: {
      outRefundNo,
      outTradeNo,
      refundId,
      amountFen,
      outcome: refundOutcomeOf(refund['refund_status']),
    },
  };
}
