import type { AppDeps } from '../deps';
import { createPayGateways, type PayGateways } from '../wechat/pay/create-pay-gateways';
import { createPayNotifyHandler } from './handle-pay-notify';
import { createRefundNotifyHandler } from './handle-refund-notify';
import { createOrderService, type OrderService } from './order-service';
import type { ProductCatalog } from './product-catalog';
import { createTableProductCatalog } from './table-product-catalog';
import type { NotifyHandler } from './record-notification';
import { createRefundService, type RefundService } from './refund-service';

export interface PayServices {
  gateways: PayGateways;
  /** Where prices come from: `deps.catalog` when given, else the `products` table. */
  catalog: ProductCatalog;
  orders: OrderService;
  refunds: RefundService;
  /** A notify as the route read it (body + headers) → the reply for WeChat (recorded in pay_notifications). */
  handlePayNotify: NotifyHandler;
  handleRefundNotify: NotifyHandler;
}

/**
 * The composition root of the pay services: built once (by `main.ts`, or `createApp` when none is given) and
 * shared by the routes and the sweep. `gateways` replaces the configured WeChat Pay protocols (tests); the product
 * catalog is `deps.catalog` (a merchant's own prices) or, by default, the `products` table.
 */
export function createPayServices(
  deps: AppDeps,
  gateways: PayGateways = createPayGateways(deps),
): PayServices {
  const withGateways = { ...deps, gateways };
  const handlePayNotify = createPayNotifyHandler(withGateways);
  const handleRefundNotify = createRefundNotifyHandler(withGateways);
  const catalog = deps.catalog ?? createTableProductCatalog(deps);
  return {
    gateways,
    catalog,
    orders: createOrderService(deps, gateways, catalog),
    refunds: createRefundService(deps, gateways),
    // Refunds started in the merchant console are notified to the order's (payment) notify URL.
    handlePayNotify: (notify) => {
      const request = { rawBody: notify.body.ok ? notify.body.text : '', headers: notify.headers };
      const carriesRefund = notify.body.ok && gateways.forNotify(request).carriesRefund(request);
      return carriesRefund ? handleRefundNotify(notify) : handlePayNotify(notify);
    },
    handleRefundNotify,
  };
}
