import { ROUTES } from '@wxh5/contracts';
import type { OrderView, OrdersPage } from '@wxh5/contracts';
import type { ApiClient } from '@/shared/api-client';

/** `GET /api/wechat/pay/orders/:outTradeNo` (owner only; the api reconciles a PENDING order with WeChat). */
export function getOrder(client: ApiClient, outTradeNo: string, signal?: AbortSignal): Promise<OrderView> {
  return client.get<OrderView>(ROUTES.order(outTradeNo), undefined, signal);
}

/** `GET /api/wechat/pay/orders?limit=&cursor=`: the user's orders, newest first. */
export function listOrders(
  client: ApiClient,
  page: { limit: number; cursor?: string | undefined },
  signal?: AbortSignal,
): Promise<OrdersPage> {
  return client.get<OrdersPage>(ROUTES.orders, { limit: String(page.limit), cursor: page.cursor }, signal);
}
