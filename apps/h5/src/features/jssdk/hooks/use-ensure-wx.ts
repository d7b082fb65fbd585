import { useCallback } from 'react';
import { useApiClient } from '@/shared/api-client-context';
import { configureWx } from '@/wechat/configure-wx';
import type { WxState } from '@/wechat/configure-wx';
import { getJssdkSignature } from '../api/get-jssdk-signature';

/**
 * Configure the JS-SDK only when asked (a pay-again button): pages other than home sign nothing on arrival, which
 * keeps iOS WeChat's landing-URL rule simple and saves a round trip for readers who do not pay.
 */
export function useEnsureWx(): () => Promise<WxState> {
  const client = useApiClient();
  return useCallback(() => configureWx((url) => getJssdkSignature(client, url)), [client]);
}
