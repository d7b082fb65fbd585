import { ROUTES } from '@wxh5/contracts';
import type { PrepayOrderResponse } from '@wxh5/contracts';
import type { ApiClient } from '@/shared/api-client';

/** `POST /api/wechat/pay/orders/:outTradeNo/prepay`: pay params for a PENDING order, same out_trade_no. */
export function prepayOrder(client: ApiClient, outTradeNo: string): Promise<PrepayOrderResponse> {
  return client.post<PrepayOrderResponse>(ROUTES.prepayOrder(outTradeNo));
}
