import { ROUTES } from '@wxh5/contracts';
import type { JssdkConfig } from '@wxh5/contracts';
import type { ApiClient } from '@/shared/api-client';

/** `GET /api/wechat/jssdk?url=`: the api signs `url` (minus `#…`) with the cached jsapi_ticket. */
export function getJssdkSignature(client: ApiClient, url: string): Promise<JssdkConfig> {
  return client.get<JssdkConfig>(ROUTES.jssdk, { url });
}
