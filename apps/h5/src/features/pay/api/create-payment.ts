import { ROUTES } from '@wxh5/contracts';
import type { PayWalletRequest, PayWalletResponse } from '@wxh5/contracts';
import type { ApiClient } from '@/shared/api-client';

/** `POST /api/wechat/pay/payWallet`: the api writes the order, prepays it and signs the cashier parameters. */
export function createPayment(client: ApiClient, request: PayWalletRequest): Promise<PayWalletResponse> {
  return client.post<PayWalletResponse>(ROUTES.payWallet, request);
}
