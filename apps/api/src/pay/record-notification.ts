import type { Kysely, Transaction } from 'kysely';
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
  await db
    .insertInto('pay_notifications')
    .values({
      kind: record.kind,
      // PostgreSQL text cannot hold NUL; keep the rest of the body byte-for-byte.
      raw_body: record.rawBody.replaceAll('\u0000', '\uFFFD'),
      verdict: record.verdict.slice(0, 64),
      out_trade_no: record.outTradeNo?.slice(0, 64) ?? null,
      transaction_id: record.transactionId?.slice(0, 64) ?? null,
      received_at: record.receivedAt,
    })
    .execute();
}
