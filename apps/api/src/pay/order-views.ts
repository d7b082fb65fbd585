import type { OrderView, RefundView } from '@wxh5/contracts';
import type { OrderRow, RefundRow } from '../store/schema';

export function toOrderView(row: OrderRow): OrderView {
  return {
    outTradeNo: row.out_trade_no,
    amountFen: row.amount_fen,
    description: row.description,
    status: row.status,
    createdAt: row.created_at,
    ...(row.paid_at ? { paidAt: row.paid_at } : {}),
    ...(row.transaction_id ? { transactionId: row.transaction_id } : {}),
    refundedFen: row.refunded_fen,
    // Orders placed before products existed (migration 009) have none of these.
    ...(row.product_id === null ? {} : { productId: row.product_id }),
    ...(row.unit_price_fen === null ? {} : { unitPriceFen: row.unit_price_fen }),
    ...(row.quantity === null ? {} : { quantity: row.quantity }),
  };
}

export function toRefundView(row: RefundRow): RefundView {
  return {
    outRefundNo: row.out_refund_no,
    outTradeNo: row.out_trade_no,
    amountFen: row.amount_fen,
    status: row.status,
    ...(row.refund_id ? { refundId: row.refund_id } : {}),
    createdAt: row.created_at,
  };
}
