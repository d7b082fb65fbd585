import { RefundDecryptError, XmlParseError, decryptRefundReqInfo, parseXml } from '@wxh5/wechat-core';
import type { AppDeps } from '../deps';
import { isoAt } from './order-views';
import type { RawBodyResult } from './read-raw-body';
import {
  answerNotify,
  recordNotification,
  type JudgedNotify,
  type NotifyResult,
} from './record-notification';
import { applyRefundOutcome } from './refund-service';

type RefundNotifyDeps = Pick<AppDeps, 'config' | 'db' | 'logger' | 'now'>;

const INTEGER = /^\d{1,12}$/;

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

  type Judged = JudgedNotify;

  const reject = (verdict: string, message: string, ids: Partial<Judged> = {}): Judged => ({
    reply: 'FAIL',
    verdict,
    message,
    ...ids,
  });

  async function judge(rawBody: string): Promise<Judged> {
    let outer: Record<string, string>;
    try {
      outer = parseXml(rawBody);
    } catch (error) {
      if (error instanceof XmlParseError) {
        return reject(
          error.reason === 'doctype' || error.reason === 'entity' ? error.reason : `xml_${error.reason}`,
          'invalid XML',
        );
      }
      throw error;
    }
    if (outer['return_code'] !== 'SUCCESS') return reject('return_fail', 'return_code is not SUCCESS');
    if (outer['appid'] !== appId) return reject('wrong_appid', 'appid mismatch');
    if (outer['mch_id'] !== mchId) return reject('wrong_mch_id', 'mch_id mismatch');
    let info: Record<string, string>;
    try {
      info = decryptRefundReqInfo(outer['req_info'] ?? '', payKey);
    } catch (error) {
      if (error instanceof RefundDecryptError) return reject('bad_req_info', 'req_info does not decrypt');
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
      return reject(
        'missing_fields',
        'req_info lacks out_refund_no, out_trade_no, refund_status or refund_fee',
        ids,
      );
    }
    const refund = await db
      .selectFrom('refunds')
      .selectAll()
      .where('out_refund_no', '=', outRefundNo)
      .executeTakeFirst();
    if (!refund) return reject('unknown_refund', 'no such refund', ids);
    if (refund.out_trade_no !== outTradeNo)
      return reject('refund_order_mismatch', 'refund belongs to another order', ids);
    if (Number(info['refund_fee']) !== refund.amount_fen) {
      logger.warn(
        { outRefundNo, refundFee: info['refund_fee'], amountFen: refund.amount_fen },
        'refund notify amount differs',
      );
      return reject('amount_mismatch', 'refund_fee mismatch', ids);
    }
    if (!['SUCCESS', 'REFUNDCLOSE', 'CHANGE'].includes(refundStatus)) {
      return reject('bad_refund_status', 'unknown refund_status', ids);
    }
    const now = isoAt(deps.now());
    const changed = await db.transaction().execute(async (trx) => {
      const moved = await applyRefundOutcome(trx, refund, refundStatus, info['refund_id'], now, logger);
      await recordNotification(trx, {
        kind: 'refund',
        rawBody,
        verdict: moved ? `accepted_${refundStatus.toLowerCase()}` : 'duplicate',
        outTradeNo,
        transactionId: info['refund_id'] ?? null,
        receivedAt: now,
      });
      return moved;
    });
    return {
      reply: 'SUCCESS',
      verdict: changed ? 'accepted' : 'duplicate',
      message: 'OK',
      committed: true,
      ...ids,
    };
  }

  return answerNotify('refund', deps, judge);
}
