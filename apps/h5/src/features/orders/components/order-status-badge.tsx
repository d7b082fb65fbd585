import type { OrderStatus } from '@wxh5/contracts';
import { useI18n } from '@/shared/i18n/i18n-context';

export function OrderStatusBadge({ status }: { status: OrderStatus }) {
  const { m } = useI18n();
  return (
    <span className="order-status" data-status={status} data-testid="order-status-badge">
      {m.status[status]}
    </span>
  );
}
