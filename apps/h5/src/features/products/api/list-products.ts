import { ROUTES } from '@wxh5/contracts';
import type { ProductList } from '@wxh5/contracts';
import type { ApiClient } from '@/shared/api-client';

/** `GET /api/wechat/pay/products`: the products on sale, with the server's prices (no session needed). */
export function listProducts(client: ApiClient, signal?: AbortSignal): Promise<ProductList> {
  return client.get<ProductList>(ROUTES.products, undefined, signal);
}
