import type { Kysely, Transaction } from 'kysely';
import { precompile } from '../store/database';
import type { Database } from '../store/schema';

export interface NotificationRecord {
  kind: 'pay' | 'refund';
  rawBody: string;
  verdict: string;
  outTradeNo: string | null;
  transactionId: string | null;
  receivedAt: string;
}

/** One row of the audit trail (pay_notifications): every notify received, accepted or not; never deleted. */
export async function recordNotification(
  db: Kysely<Database> | Transaction<Database>,
  record: NotificationRecord,
): Promise<void> {
  await insertNotification(db, {
    kind: record.kind,
    // PostgreSQL text cannot hold NUL; keep the rest of the body byte-for-byte.
    rawBody: record.rawBody.replaceAll('\u0000', '\uFFFD'),
    verdict: record.verdict.slice(0, 64),
    outTradeNo: record.outTradeNo?.slice(0, 64) ?? null,
    transactionId: record.transactionId?.slice(0, 64) ?? null,
    receivedAt: record.receivedAt,
  });
}

/** The insert, compiled once (it runs for every notify). */
const insertNotification = precompile(
  ['kind', 'rawBody', 'verdict', 'outTradeNo', 'transactionId', 'receivedAt'],
  (db, p) =>
    db.insertInto('pay_notifications').values({
      kind: p.kind,
      raw_body: p.rawBody,
      verdict: p.verdict,
      out_trade_no: p.outTradeNo,
      transaction_id: p.transactionId,
      received_at: p.receivedAt,
    }),
);
