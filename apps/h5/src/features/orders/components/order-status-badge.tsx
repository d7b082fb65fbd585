import type { OrderStatus } from '@wxh5/contracts';

const LABELS: Record<OrderStatus, string> = {
  PENDING: 'Unpaid',
  PAID: 'Paid',
  CLOSED: 'Closed',
  REFUNDED: 'Refunded',
};

export function statusLabel(status: OrderStatus): string {
  return LABELS[status];
}

export function OrderStatusBadge({ status }: { status: OrderStatus }) {
  return (
    <span className={`badge badge--${status.toLowerCase()}`} data-testid="order-status-badge">
      {LABELS[status]}
    </span>
  );
}
