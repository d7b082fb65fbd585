import { RefundDecryptError, XmlParseError, decryptRefundReqInfo, parseXml } from '@wxh5/wechat-core';
import type { AppDeps } from '../deps';
import { isoAt } from './order-views';
import type { RawBodyResult } from './read-raw-body';
import { XML_VERDICTS } from './handle-pay-notify';
import {
  REFUND_NOTIFY_ANSWERS,
  type RefundNoticeRejection,
  type RefundAuditVerdict,
  type RefundNotifyVerdict,
} from './notify-verdicts';
import {
  answerNotify,
  recordNotification,
  type JudgedNotify,
  type NotifyResult,
} from './record-notification';
import { V2_REFUND_OUTCOMES, applyRefundOutcome } from './refund-service';

type RefundNotifyDeps = Pick<AppDeps, 'config' | 'db' | 'logger' | 'now'>;

const INTEGER = /^\d{1,12}$/;

/** The audit row of an applied refund notify names the outcome it applied. */
const AUDIT_VERDICTS = {
  SUCCESS: 'accepted_success',
  REFUNDCLOSE: 'accepted_refundclose',
  CHANGE: 'accepted_change',
} as const satisfies Record<'SUCCESS' | 'REFUNDCLOSE' | 'CHANGE', RefundAuditVerdict>;

/**
 * The v2 refund notify (`POST /api/wechat/pay/refund-callback`). The outer XML carries no `sign`: decrypting
 * `req_info` with our API key (AES-256-ECB, key = md5(API key) as lowercase hex) is what authenticates it. Every
 * notify is recorded (kind 'refund'); the refund row moves once, so replays change nothing and answer SUCCESS.
 */
export function createRefundNotifyHandler(
  deps: RefundNotifyDeps,
): (body: RawBodyResult) => Promise<NotifyResult> {
  const { config, db, logger } = deps;
  const { appId, mchId, payKey } = config.wechat;

  type Judged = JudgedNotify<RefundNotifyVerdict>;

  const reject = (
    verdict: RefundNoticeRejection | 'unknown_refund' | 'refund_order_mismatch' | 'amount_mismatch',
    ids: Partial<Judged> = {},
  ): Judged => ({ verdict, ...ids });

  async function judge(rawBody: string): Promise<Judged> {
    let outer: Record<string, string>;
    try {
      outer = parseXml(rawBody);
    } catch (error) {
      if (error instanceof XmlParseError) return reject(XML_VERDICTS[error.reason]);
      throw error;
    }
    if (outer['return_code'] !== 'SUCCESS') return reject('return_fail');
    if (outer['appid'] !== appId) return reject('wrong_appid');
    if (outer['mch_id'] !== mchId) return reject('wrong_mch_id');
    let info: Record<string, string>;
    try {
      info = decryptRefundReqInfo(outer['req_info'] ?? '', payKey);
    } catch (error) {
      if (error instanceof RefundDecryptError) return reject('bad_req_info');
      throw error;
    }
    const outRefundNo = info['out_refund_no'];
    const outTradeNo = info['out_trade_no'];
    const refundStatus = info['refund_status'];
    const ids = {
      ...(outTradeNo ? { outTradeNo } : {}),
      ...(info['refund_id'] ? { transactionId: info['refund_id'] } : {}),
    };
    if (!outRefundNo || !outTradeNo || !refundStatus || !INTEGER.test(info['refund_fee'] ?? '')) {
      return reject('missing_fields', ids);
    }
    const refund = await db
      .selectFrom('refunds')
      .selectAll()
      .where('out_refund_no', '=', outRefundNo)
      .executeTakeFirst();
    if (!refund) return reject('unknown_refund', ids);
    if (refund.out_trade_no !== outTradeNo) return reject('refund_order_mismatch', ids);
    if (Number(info['refund_fee']) !== refund.amount_fen) {
      logger.warn(
        { outRefundNo, refundFee: info['refund_fee'], amountFen: refund.amount_fen },
        'refund notify amount differs',
      );
      return reject('amount_mismatch', ids);
    }
    if (refundStatus !== 'SUCCESS' && refundStatus !== 'REFUNDCLOSE' && refundStatus !== 'CHANGE') {
      return reject('bad_refund_status', ids);
    }
    const now = isoAt(deps.now());
    const changed = await db.transaction().execute(async (trx) => {
      const moved = await applyRefundOutcome(
        trx,
        refund,
        V2_REFUND_OUTCOMES[refundStatus],
        info['refund_id'],
        now,
        logger,
      );
      await recordNotification(trx, {
        kind: 'refund',
        rawBody,
        verdict: moved ? AUDIT_VERDICTS[refundStatus] : 'duplicate',
        outTradeNo,
        transactionId: info['refund_id'] ?? null,
        receivedAt: now,
      });
      return moved;
    });
    return { verdict: changed ? 'accepted' : 'duplicate', committed: true, ...ids };
  }

  return answerNotify('refund', deps, REFUND_NOTIFY_ANSWERS, judge);
}
