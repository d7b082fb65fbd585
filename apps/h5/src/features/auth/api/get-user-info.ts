import { ROUTES } from '@wxh5/contracts';
import type { UserInfo } from '@wxh5/contracts';
import type { ApiClient } from '@/shared/api-client';

/** The signed-in user (`GET /api/wechat/getUserInfo`); rejects with a 401 `ApiError` when there is no session. */
export function getUserInfo(client: ApiClient, signal?: AbortSignal): Promise<UserInfo> {
  return client.get<UserInfo>(ROUTES.getUserInfo, undefined, signal);
}
